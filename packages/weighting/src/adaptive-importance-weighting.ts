import { ConfigError, NumericError, SPECIFICATION_VERSION, type WeightingInput } from '@ocrm/core';
import { pairLogRatios, scaleLogRatios } from './importance-weighting';
import { logSumExp } from './log-math';
import {
  type DetailedWeightingResult,
  type DetailedWeightingStrategy,
  weightDiagnostics,
} from './weight-diagnostics';

/** Options of {@link adaptiveImportanceWeighting}. */
export interface AdaptiveImportanceWeightingConfig {
  /**
   * The ESS/N the weights must have, in (0, 1]: λ is chosen per call (per OCRM round) so that
   * `ESS(λ)/N = targetEss` within `tolerance`. A fixed λ means a different correction at every drift (the same λ
   * gives ESS/N 1.000 on 10-token responses and 0.05 on 100-token ones); a target ESS fixes what the correction
   * costs in effective samples instead. 1 gives λ = 0.
   */
  targetEss: number;
  /** Relative-ratio mix α in [0, 1], as in `importanceWeighting` (official default 0.1). */
  alpha: number;
  /** Sum only the first K response tokens (needs per-token input). */
  truncateTokens?: number;
  /** Clip each log-weight to `[-clipLogWeight, clipLogWeight]` (applied inside the search). */
  clipLogWeight?: number;
  /** Allowed |ESS/N − targetEss| (default 0.01). */
  tolerance?: number;
}

/** A weighting result that also says which λ was chosen. */
export interface AdaptiveWeightingResult extends DetailedWeightingResult {
  /** The λ (`ratioExponent`) the search chose. */
  ratioExponent: number;
}

/** The strategy {@link adaptiveImportanceWeighting} returns. */
export interface AdaptiveWeightingStrategy extends DetailedWeightingStrategy {
  readonly config: AdaptiveImportanceWeightingConfig;
  weigh(input: WeightingInput): AdaptiveWeightingResult;
}

/** Largest λ the search tries before it declares the target unreachable. */
const MAX_LAMBDA = 1e6;

/** `ESS/N` of the log-weights `λ · ratios` (log space: `exp(2 LSE(lw) − LSE(2 lw)) / N`). */
export function essFractionAt(ratios: ArrayLike<number>, lambda: number, clip?: number): number {
  const n = ratios.length;
  if (n === 0) return 0;
  const lw = scaleLogRatios(ratios, lambda, clip);
  const twice = lw.map((x) => 2 * x);
  return Math.exp(2 * logSumExp(lw) - logSumExp(twice)) / n;
}

/**
 * The λ ≥ 0 with `ESS(λ)/N = target` (±`tolerance`) for pair log-ratios `ratios`, by bisection: ESS/N is 1 at λ = 0
 * and non-increasing in λ (the w-tilted mean of the ratios grows with the tilt).
 * @throws NumericError when no λ ≤ 1e6 brings ESS/N down to the target (the ratios are (nearly) all equal, e.g. the
 *   policy still equals the sampler, or clipping bounds the weights), naming the smallest ESS/N reached.
 */
export function lambdaForEss(
  ratios: ArrayLike<number>,
  target: number,
  options: { tolerance?: number; clipLogWeight?: number } = {},
): number {
  const tolerance = options.tolerance ?? 0.01;
  const clip = options.clipLogWeight;
  if (target >= 1) return 0;
  let lo = 0;
  let hi = 1;
  let essHi = essFractionAt(ratios, hi, clip);
  while (essHi > target) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_LAMBDA) {
      throw new NumericError(
        `targetEss ${target} cannot be reached: ESS/N is still ${essHi.toFixed(4)} at λ = ${MAX_LAMBDA}.`,
        {
          hint:
            'the pair log-ratios are (nearly) all equal — the policy has not moved from the sampler on these pairs, ' +
            'or clipLogWeight bounds the weights; use a larger targetEss or a fixed ratioExponent.',
        },
      );
    }
    essHi = essFractionAt(ratios, hi, clip);
  }
  // ESS(lo) > target >= ESS(hi); shrink until the midpoint is within a quarter of the tolerance (or λ converged).
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    const ess = essFractionAt(ratios, mid, clip);
    if (Math.abs(ess - target) <= tolerance / 4 || hi - lo <= 1e-12 * hi) return mid;
    if (ess > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * OCRM importance weighting whose λ is chosen per round so that the weights' ESS/N meets `targetEss` (the study's
 * "adaptive λ"; not in the paper, which fixes λ = 0.001): log-weights `λ* (log r(chosen) + log r(rejected))` with the
 * relative ratio of mix α. The chosen λ is returned as `ratioExponent`; the log-weights and diagnostics are exactly
 * those of `importanceWeighting` at that λ.
 *
 * @example
 * const strategy = adaptiveImportanceWeighting({ targetEss: 0.6, alpha: 0.1 });
 * const { logWeights, ratioExponent } = strategy.weigh(input);
 */
export function adaptiveImportanceWeighting(
  config: AdaptiveImportanceWeightingConfig,
): AdaptiveWeightingStrategy {
  const { targetEss, alpha, truncateTokens, clipLogWeight } = config;
  const tolerance = config.tolerance ?? 0.01;
  if (!(targetEss > 0 && targetEss <= 1)) {
    throw new ConfigError('targetEss', `must be in (0, 1], got ${targetEss}`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new ConfigError('alpha', `must be in [0, 1], got ${alpha}`);
  if (!(tolerance > 0 && tolerance < 1)) {
    throw new ConfigError('tolerance', `must be in (0, 1), got ${tolerance}`);
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `importance(targetEss=${targetEss}, alpha=${alpha})`,
    config,
    weigh(input: WeightingInput): AdaptiveWeightingResult {
      const ratios = pairLogRatios(input, alpha, truncateTokens);
      const ratioExponent = lambdaForEss(ratios, targetEss, { tolerance, clipLogWeight });
      const logWeights = scaleLogRatios(ratios, ratioExponent, clipLogWeight);
      const diagnostics = weightDiagnostics(logWeights);
      return { logWeights, diagnostics, ratioExponent };
    },
  };
}
