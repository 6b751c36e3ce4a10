/**
 * @packageDocumentation
 * Scalar reward model and PPO critic with importance-weighted Bradley-Terry training.
 */
export {
  type BradleyTerryOptions,
  bradleyTerryLoss,
  type PairStats,
  pairStats,
  pairWeights,
  type WeightNormalization,
} from './bradley-terry';
export { computeRewardOffset, type RewardOffsetOptions } from './compute-reward-offset';
export { evaluatePairs, type PairRewards, scorePairs } from './evaluate-pairs';
export { FeatureCache } from './feature-cache';
export {
  featureCacheBytes,
  modelFolderHash,
  parseFeatureCache,
  readFeatureCache,
  writeFeatureCache,
} from './feature-cache-file';
export { lastValidIndex } from './last-valid-index';
export { NeuralGoldJudge, type NeuralGoldJudgeOptions } from './neural-gold-judge';
export {
  DEFAULT_REWARD_MODEL_CONFIG,
  type RewardModelConfig,
  resolveRewardModelConfig,
} from './reward-model-config';
export { type RewardStepMetrics, rewardModelStep } from './reward-model-step';
export {
  type FromBackboneOptions,
  type LoadRewardModelOptions,
  REWARD_OFFSET_KEY,
  ScalarRewardModel,
} from './scalar-reward-model';
export {
  SCALAR_REWARD_MODEL_DIR,
  type ScalarRewardModelTrainerOptions,
  scalarRewardModelTrainer,
} from './scalar-reward-model-trainer';
export {
  type RewardModelTrainResult,
  type TrainRewardModelOptions,
  trainRewardModel,
  trainRewardModelIter,
} from './train-reward-model';
export {
  REWARD_MODEL_TRAINABLE,
  type RewardModelTrainable,
  trainableSelector,
} from './trainable-params';
