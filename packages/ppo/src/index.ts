/**
 * @packageDocumentation
 * `@ocrm/ppo`: PPO for language models with the published RLHF implementation details (Huang et al. 2024, "The N+
 * Implementation Details of RLHF with PPO"). Trains any `Policy` against any `RewardModel` with any `ValueModel`
 * and a frozen reference `Policy` (contracts of `@ocrm/core`).
 */
export {
  DEFAULT_PPO_CONFIG,
  type PpoConfig,
  ppoTotalUpdates,
  resolvePpoConfig,
  type ScorePosition,
} from './config';
export {
  type ClippedPolicyLoss,
  type ClippedPolicyLossInput,
  clippedPolicyLoss,
} from './math/clipped-policy-loss';
export {
  type ClippedValueLoss,
  type ClippedValueLossInput,
  clippedValueLoss,
} from './math/clipped-value-loss';
export { computeGae, type GaeInput, type GaeResult } from './math/compute-gae';
export {
  type KlPenalizedRewards,
  type KlPenalizedRewardsInput,
  klPenalizedRewards,
  scorePositionIndex,
  valueMaskOf,
} from './math/kl-penalized-rewards';
export { ppoOptimizer } from './ppo-optimizer';
export { type PpoResult, ppoVariables, type TrainPpoOptions, trainPpo, trainPpoIter } from './train-ppo';
export { ppoLearningRate } from './update/ppo-state';
