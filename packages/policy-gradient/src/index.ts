/**
 * @packageDocumentation
 * `@ocrm/policy-gradient`: RLOO and GRPO, critic-free policy optimizers with group baselines, as a library
 * (`trainPolicyGradient`) and behind the `PolicyOptimizer` stage contract (`rlooOptimizer`, `grpoOptimizer`), so the
 * OCRM pipeline can run either in place of PPO.
 */

export {
  type AdvantageEstimator,
  DEFAULT_GRPO_CONFIG,
  DEFAULT_RLOO_CONFIG,
  type PolicyGradientConfig,
  resolvePolicyGradientConfig,
} from './config';
export { GRPO_STD_EPSILON, groupAdvantages, whitenAdvantages } from './math/group-advantages';
export { type PolicyLoss, type PolicyLossInputs, policyGradientLoss } from './math/policy-loss';
export { type SequenceRewardInputs, type SequenceRewards, sequenceRewards } from './math/sequence-rewards';
export { grpoOptimizer, policyGradientOptimizer, rlooOptimizer } from './optimizer';
export { collectGroupRollout, type GroupRollout } from './rollout/group-rollout';
export {
  type PolicyGradientResult,
  type TrainPolicyGradientOptions,
  trainPolicyGradient,
  trainPolicyGradientIter,
} from './train-policy-gradient';
