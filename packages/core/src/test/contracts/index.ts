export { contractBatch, ordinaryIds, repad } from './helpers';
export {
  describeEvaluatorContract,
  describeGoldJudgeContract,
  describeTokenizerContract,
  describeWeightingStrategyContract,
  type EvaluatorContractOptions,
  type GoldJudgeContractOptions,
  syntheticWeightingInput,
  type TokenizerContractOptions,
  type WeightingContractOptions,
} from './other-contracts';
export { describePolicyContract, type PolicyContractOptions } from './policy-contract';
export {
  describePolicyOptimizerContract,
  type PolicyOptimizerContractOptions,
} from './policy-optimizer-contract';
export {
  describeRewardModelTrainerContract,
  type RewardModelTrainerContractOptions,
} from './reward-model-trainer-contract';
export {
  describePairWeighterContract,
  describeRunEvaluatorContract,
  describeRunReporterContract,
} from './run-stage-contracts';
export {
  describeRewardModelContract,
  describeValueModelContract,
  type ScalarModelContractOptions,
} from './scalar-contracts';
export {
  describePairSamplerContract,
  describeSftTrainerContract,
  type SftTrainerContractOptions,
} from './stage-trainer-contracts';
