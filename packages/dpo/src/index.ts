/**
 * @packageDocumentation
 * `@ocrm/dpo`: DPO, IPO and WPO baselines trained on the same labelled preference pairs as the reward model
 * (docs/algorithm.md). Trains any `Policy` of `@ocrm/core` through the contract, against a frozen reference.
 */
export {
  DEFAULT_DPO_CONFIG,
  type DpoConfig,
  type DpoLossType,
  type DpoWeighting,
  resolveDpoConfig,
} from './config';
export { type MicroBatchInput, type MicroBatchOutput, preferenceMicroBatchGrads } from './dpo-step';
export { type EvaluatePairsOptions, evaluatePreferencePairs } from './evaluate-pairs';
export {
  type DpoLossOptions,
  dpoLoss,
  type IpoLossOptions,
  ipoLoss,
  type PairLogProbs,
  type PairVector,
  preferenceMargins,
  weightedMean,
} from './losses';
export { dpoRewardMetrics, type HostPairLogProbs, preferenceLossValue } from './metrics';
export { type PairSums, pairLogProbSums, splitPairSums } from './pair-batches';
export { policyWpoWeights } from './policy-wpo-weights';
export { type DpoResult, selectPairs, type TrainDpoOptions, trainDpo, trainDpoIter } from './train-dpo';
export { type WpoWeightInput, wpoLogWeights, wpoResponseScores, wpoWeights } from './wpo-weights';
