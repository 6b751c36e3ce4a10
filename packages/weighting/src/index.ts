/**
 * @packageDocumentation
 * The OCRM step: sequence log-prob sums, importance weighting strategies and their diagnostics.
 */
export {
  type AdaptiveImportanceWeightingConfig,
  type AdaptiveWeightingResult,
  type AdaptiveWeightingStrategy,
  adaptiveImportanceWeighting,
  essFractionAt,
  lambdaForEss,
} from './adaptive-importance-weighting';
export { composeWeighting } from './compose-weighting';
export {
  type DensityRatioWeighterConfig,
  densityRatioWeighter,
  weightShardRange,
} from './density-ratio-weighter';
export {
  checkWeightingInput,
  DEFAULT_IMPORTANCE_WEIGHTING_CONFIG,
  type ImportanceWeightingConfig,
  importanceWeighting,
  logRelativeRatio,
  pairLogRatios,
  resolveImportanceWeightingConfig,
  scaleLogRatios,
} from './importance-weighting';
export { logAddExp, logSumExp } from './log-math';
export {
  computeSequenceLogProbs,
  recordedSamplerLogProbs,
  type SequenceLogProbOptions,
  type SequenceLogProbs,
  samplerDrift,
  weightingInput,
} from './sequence-log-probs';
export { uniformWeighting } from './uniform-weighting';
export {
  recordedSamplerTemperature,
  type WeighPairsOptions,
  type WeighPairsResult,
  weighPairs,
} from './weigh-pairs';
export {
  type DetailedWeightDiagnostics,
  type DetailedWeightingResult,
  type DetailedWeightingStrategy,
  ESS_DEGENERATE,
  ESS_NO_CORRECTION,
  normalizeLogWeights,
  WEIGHT_QUANTILES,
  type WeightDiagnosticsOptions,
  weightDiagnostics,
} from './weight-diagnostics';
export {
  applyLogWeights,
  readWeightsJsonl,
  type WeightRecord,
  writeWeightDiagnostics,
  writeWeightsJsonl,
} from './write-weights';
