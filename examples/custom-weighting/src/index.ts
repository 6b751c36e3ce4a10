import {
  SPECIFICATION_VERSION,
  type WeightingInput,
  type WeightingResult,
  type WeightingStrategy,
} from '@ocrm/core';
import { importanceWeighting, weightDiagnostics } from '@ocrm/weighting';

/** Options of {@link quantileClippedImportance}. */
export interface QuantileClippedOptions {
  /** λ in the paper (default 0.1). */
  ratioExponent?: number;
  /** Relative-ratio mix α (default 0.1). */
  alpha?: number;
  /** Log-weights are clipped to the [q, 1 - q] quantiles of the batch (default 0.05). */
  quantile?: number;
}

/**
 * A custom OCRM weighting rule: the paper's importance weights, then each log-weight clipped to the dataset's
 * [q, 1 − q] quantiles, so a few extreme pairs cannot dominate the reward model's loss (lower variance, some bias).
 * Implements the `WeightingStrategy` contract of `@ocrm/core`, so it passes `describeWeightingStrategyContract`
 * and plugs into the pipeline as `weighting.module` or `runPipeline(config, { stages: { weighting } })`.
 */
export function quantileClippedImportance(options: QuantileClippedOptions = {}): WeightingStrategy {
  const q = options.quantile ?? 0.05;
  const base = importanceWeighting({
    ratioExponent: options.ratioExponent ?? 0.1,
    alpha: options.alpha ?? 0.1,
  });
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `quantile-clipped(${base.name}, q=${q})`,
    weigh(input: WeightingInput): WeightingResult {
      const { logWeights } = base.weigh(input);
      const sorted = Float64Array.from(logWeights).sort();
      const at = (p: number) =>
        sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))] ?? 0;
      const lo = at(q);
      const hi = at(1 - q);
      const clipped = logWeights.map((w) => Math.min(hi, Math.max(lo, w)));
      return { logWeights: clipped, diagnostics: weightDiagnostics(clipped) };
    },
  };
}

/**
 * The factory the pipeline calls for `weighting.module: <this file>`: it receives the `weighting` config section.
 */
export default function strategy(config: { ratioExponent?: number; alpha?: number } = {}): WeightingStrategy {
  return quantileClippedImportance({ ratioExponent: config.ratioExponent, alpha: config.alpha });
}
