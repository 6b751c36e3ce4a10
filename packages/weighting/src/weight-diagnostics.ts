import {
  InvalidArgumentError,
  NumericError,
  type WeightDiagnostics,
  type WeightingInput,
  type WeightingResult,
  type WeightingStrategy,
} from '@ocrm/core';
import { logSumExp } from './log-math';

/** The quantile levels reported in {@link WeightDiagnostics.quantiles} (keys are `String(level)`). */
export const WEIGHT_QUANTILES: readonly number[] = Object.freeze([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]);

/** ESS/N above this: the weights are practically uniform (the correction does nothing). */
export const ESS_NO_CORRECTION = 0.99;
/** ESS/N below this: a few pairs carry all the weight (degenerate). */
export const ESS_DEGENERATE = 0.1;

/** {@link WeightDiagnostics} plus the same summaries in log space (finite even when weights overflow float64). */
export interface DetailedWeightDiagnostics extends WeightDiagnostics {
  /** min / log of the mean / max of the log-weights. */
  logMin: number;
  logMean: number;
  logMax: number;
}

/** A {@link WeightingResult} whose diagnostics include the log-space summaries. */
export interface DetailedWeightingResult extends WeightingResult {
  diagnostics: DetailedWeightDiagnostics;
}

/** A {@link WeightingStrategy} returning {@link DetailedWeightDiagnostics} (every strategy of this package). */
export interface DetailedWeightingStrategy extends WeightingStrategy {
  weigh(input: WeightingInput): DetailedWeightingResult;
}

/** Options of {@link weightDiagnostics}. */
export interface WeightDiagnosticsOptions {
  /** Histogram bins over [min, max] of the log-weights (default 20). */
  bins?: number;
  /** Emit the ESS warnings (default true; the uniform strategy turns them off). */
  warn?: boolean;
}

/**
 * Summarises log-weights (one per pair): min / mean / max and quantiles of the weights `w = exp(logWeight)`
 * (quantiles interpolated linearly between sorted log-weights, i.e. geometrically between weights), a
 * histogram of the log-weights, the effective sample size `(Σw)² / Σw²` (computed in log space:
 * `exp(2 LSE(lw) - LSE(2 lw))`) and its fraction of N, the fraction of pairs whose weight, normalised to mean 1,
 * moved by more than 10 %, and warnings for ESS/N > 0.99 (no correction) and < 0.1 (degenerate).
 * Throws `NumericError` on a non-finite log-weight.
 */
export function weightDiagnostics(
  logWeights: ArrayLike<number>,
  options: WeightDiagnosticsOptions = {},
): DetailedWeightDiagnostics {
  const bins = options.bins ?? 20;
  if (!Number.isInteger(bins) || bins < 1)
    throw new InvalidArgumentError(`bins must be a positive integer, got ${bins}`);
  const n = logWeights.length;
  if (n === 0) {
    return {
      n: 0,
      min: 0,
      mean: 0,
      max: 0,
      quantiles: {},
      histogram: { edges: [], counts: [] },
      ess: 0,
      essFraction: 0,
      fractionMoved: 0,
      warnings: ['no pairs to weigh'],
      logMin: 0,
      logMean: 0,
      logMax: 0,
    };
  }
  const sorted = Float64Array.from(logWeights).sort();
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(sorted[i]!)) throw new NumericError(`log-weight ${sorted[i]} is not finite`);
  }
  const logMin = sorted[0]!;
  const logMax = sorted[n - 1]!;
  const lse = logSumExp(sorted);
  const logMean = lse - Math.log(n);
  const doubled = sorted.map((x) => 2 * x);
  const ess = Math.exp(2 * lse - logSumExp(doubled));
  const essFraction = Math.min(1, ess / n);

  const quantiles: Record<string, number> = {};
  for (const level of WEIGHT_QUANTILES) quantiles[String(level)] = Math.exp(quantileSorted(sorted, level));

  const up = Math.log(1.1);
  const down = Math.log(0.9);
  let moved = 0;
  for (let i = 0; i < n; i++) {
    const normalised = sorted[i]! - logMean;
    if (normalised > up || normalised < down) moved++;
  }

  const warnings: string[] = [];
  if (options.warn ?? true) {
    if (essFraction > ESS_NO_CORRECTION) {
      warnings.push(
        `ESS/N = ${essFraction.toFixed(4)} > ${ESS_NO_CORRECTION}: the weights are almost uniform, so the correction ` +
          'does nothing; raise ratioExponent (λ) for this response length',
      );
    }
    if (essFraction < ESS_DEGENERATE) {
      warnings.push(
        `ESS/N = ${essFraction.toFixed(4)} < ${ESS_DEGENERATE}: a few pairs carry almost all the weight; lower ` +
          'ratioExponent (λ), raise alpha or clip the log-weights',
      );
    }
  }
  return {
    n,
    min: Math.exp(logMin),
    mean: Math.exp(logMean),
    max: Math.exp(logMax),
    quantiles,
    histogram: histogram(sorted, bins),
    ess,
    essFraction,
    fractionMoved: moved / n,
    warnings,
    logMin,
    logMean,
    logMax,
  };
}

/**
 * Shifts log-weights so the weights have mean 1 over the given set (`lw - (LSE(lw) - log N)`), in log space. Used for
 * dataset-level normalisation; reward-model training does the per-batch variant. Returns a new array.
 */
export function normalizeLogWeights(logWeights: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(logWeights);
  if (out.length === 0) return out;
  const logMean = logSumExp(out) - Math.log(out.length);
  if (!Number.isFinite(logMean))
    throw new NumericError(`cannot normalise log-weights: log mean is ${logMean}`);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! - logMean;
  return out;
}

/** Linear-interpolation quantile (type 7) of an ascending array. */
function quantileSorted(sorted: Float64Array, level: number): number {
  const position = level * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
}

function histogram(sorted: Float64Array, bins: number): { edges: number[]; counts: number[] } {
  let lo = sorted[0]!;
  let hi = sorted[sorted.length - 1]!;
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const x of sorted) counts[Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)))]!++;
  return { edges, counts };
}
