export { type ComputeLogProbsOptions, computeLogProbs, type HostLogProbs } from './compute-log-probs';
export { entropyFromLogits, logSumSquaredProbs } from './entropy';
export {
  DEFAULT_VOCAB_CHUNK,
  type GatherLogProbsOptions,
  gatherLogProbs,
  logSoftmaxChunked,
  logSumExpChunked,
} from './gather-log-probs';
export { logAddExp, logAddExpTensor } from './log-add-exp';
export { maskedMean, maskedSum, maskedVariance, maskedWhiten, WHITEN_EPSILON } from './masked';
