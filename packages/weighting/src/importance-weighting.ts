import {
  ConfigError,
  InvalidArgumentError,
  NumericError,
  ShapeError,
  SPECIFICATION_VERSION,
  type WeightingInput,
} from '@ocrm/core';
import { logAddExp, positiveZero } from './log-math';
import {
  type DetailedWeightingResult,
  type DetailedWeightingStrategy,
  weightDiagnostics,
} from './weight-diagnostics';

/** Options of {@link importanceWeighting} (docs/algorithm.md). */
export interface ImportanceWeightingConfig {
  /** λ in the paper: `logWeight = λ (log r(chosen) + log r(rejected))`. 0 gives uniform weights. The useful range
   * depends on response length (the paper's 0.001 was for 53-106-token responses of a 1B model). */
  ratioExponent: number;
  /** Relative-ratio mix α in [0, 1]: `r = π / (α π + (1 - α) π_sft)`. 0 = plain ratio; 1 = no correction. With α > 0
   * each response's ratio is capped at 1/α. */
  alpha: number;
  /** Sum only the first K response tokens (needs `perToken` input). Absent = the whole response through its EOS. */
  truncateTokens?: number;
  /** Clip each log-weight to `[-clipLogWeight, clipLogWeight]`. Absent = no clipping. */
  clipLogWeight?: number;
}

/** Defaults: λ = 0.001 and α = 0.1 as in the authors' code; no truncation, no clipping. */
export const DEFAULT_IMPORTANCE_WEIGHTING_CONFIG: Readonly<ImportanceWeightingConfig> = Object.freeze({
  ratioExponent: 0.001,
  alpha: 0.1,
});

/** Merges `partial` over the defaults and validates it; throws `ConfigError` naming the bad field. */
export function resolveImportanceWeightingConfig(
  partial: Partial<ImportanceWeightingConfig> = {},
): ImportanceWeightingConfig {
  const config: ImportanceWeightingConfig = { ...DEFAULT_IMPORTANCE_WEIGHTING_CONFIG, ...partial };
  const { ratioExponent, alpha, truncateTokens, clipLogWeight } = config;
  if (!Number.isFinite(ratioExponent) || ratioExponent < 0) {
    throw new ConfigError('ratioExponent', `must be a finite number >= 0, got ${ratioExponent}`);
  }
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > 1) {
    throw new ConfigError('alpha', `must be in [0, 1], got ${alpha}`);
  }
  if (truncateTokens !== undefined && (!Number.isInteger(truncateTokens) || truncateTokens < 1)) {
    throw new ConfigError('truncateTokens', `must be a positive integer, got ${truncateTokens}`);
  }
  if (clipLogWeight !== undefined && !(clipLogWeight > 0)) {
    throw new ConfigError('clipLogWeight', `must be > 0, got ${clipLogWeight}`);
  }
  return config;
}

/**
 * Log of the relative density ratio of one response, `log [π / (α π + (1 - α) π_sft)]`, from summed log-probs:
 * `-logaddexp(log α, log(1 - α) + S_sft - S_pi)`; `S_pi - S_sft` when α = 0 and exactly 0 when α = 1 or the sums are equal. Float64, never
 * exponentiates a sum, so sums of -5000 nats are fine.
 */
export function logRelativeRatio(sPolicy: number, sSampler: number, alpha: number): number {
  if (alpha === 0) return positiveZero(sPolicy - sSampler);
  if (alpha === 1 || sPolicy === sSampler) return 0; // r = 1 exactly
  return positiveZero(-logAddExp(Math.log(alpha), Math.log1p(-alpha) + sSampler - sPolicy));
}

/**
 * The OCRM weighting strategy (importance weighting with the relative ratio). For pair i:
 * `logWeight_i = λ (log r(chosen_i) + log r(rejected_i))`, then optionally clipped. Output in the pairs' order,
 * float64, always finite; non-finite inputs throw `NumericError` naming the pair.
 *
 * @example
 * const strategy = importanceWeighting({ ratioExponent: 0.1 });
 * const { logWeights, diagnostics } = strategy.weigh(input);
 */
export function importanceWeighting(
  partial: Partial<ImportanceWeightingConfig> = {},
): DetailedWeightingStrategy & { readonly config: ImportanceWeightingConfig } {
  const config = resolveImportanceWeightingConfig(partial);
  const { ratioExponent, alpha, truncateTokens, clipLogWeight } = config;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `importance(ratioExponent=${ratioExponent}, alpha=${alpha})`,
    config,
    weigh(input: WeightingInput): DetailedWeightingResult {
      const ratios = pairLogRatios(input, alpha, truncateTokens);
      const logWeights = scaleLogRatios(ratios, ratioExponent, clipLogWeight);
      return { logWeights, diagnostics: weightDiagnostics(logWeights) };
    },
  };
}

/**
 * `[N]` λ-free pair log-ratios `log r(chosen_i) + log r(rejected_i)` (relative ratio with mix `alpha`, sums over the
 * first `truncateTokens` tokens when given), float64. Non-finite inputs throw `NumericError` naming the pair.
 */
export function pairLogRatios(input: WeightingInput, alpha: number, truncateTokens?: number): Float64Array {
  const sums = truncateTokens === undefined ? fullSums(input) : truncatedSums(input, truncateTokens);
  const n = sums.policyChosen.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pc = sums.policyChosen[i]!;
    const pr = sums.policyRejected[i]!;
    const sc = sums.samplerChosen[i]!;
    const sr = sums.samplerRejected[i]!;
    if (!Number.isFinite(pc) || !Number.isFinite(pr) || !Number.isFinite(sc) || !Number.isFinite(sr)) {
      throw new NumericError(
        `pair ${i}: non-finite log-prob sum (policy ${pc}, ${pr}; sampler ${sc}, ${sr})`,
        {
          hint: 'check the policy forward pass (NaN weights?) and the recorded sampler sums',
        },
      );
    }
    out[i] = logRelativeRatio(pc, sc, alpha) + logRelativeRatio(pr, sr, alpha);
  }
  return out;
}

/** `[N]` log-weights `λ · ratio_i`, clipped to `[-clip, clip]` when `clip` is given; finite, +0 for zeros. */
export function scaleLogRatios(ratios: ArrayLike<number>, lambda: number, clip?: number): Float64Array {
  const n = ratios.length;
  const logWeights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lw = lambda * ratios[i]!;
    if (clip !== undefined) lw = Math.min(clip, Math.max(-clip, lw));
    if (!Number.isFinite(lw)) throw new NumericError(`pair ${i}: log-weight ${lw} is not finite`);
    logWeights[i] = positiveZero(lw);
  }
  return logWeights;
}

interface Sums {
  policyChosen: ArrayLike<number>;
  policyRejected: ArrayLike<number>;
  samplerChosen: ArrayLike<number>;
  samplerRejected: ArrayLike<number>;
}

/** Checks the four arrays have one value per pair. */
export function checkWeightingInput(input: WeightingInput): number {
  const n = input.logpPolicyChosen.length;
  for (const [name, array] of Object.entries({
    logpPolicyRejected: input.logpPolicyRejected,
    logpSamplerChosen: input.logpSamplerChosen,
    logpSamplerRejected: input.logpSamplerRejected,
  })) {
    if (array.length !== n)
      throw new ShapeError(`${name} has ${array.length} values, logpPolicyChosen has ${n}`);
  }
  return n;
}

function fullSums(input: WeightingInput): Sums {
  checkWeightingInput(input);
  return {
    policyChosen: input.logpPolicyChosen,
    policyRejected: input.logpPolicyRejected,
    samplerChosen: input.logpSamplerChosen,
    samplerRejected: input.logpSamplerRejected,
  };
}

function truncatedSums(input: WeightingInput, k: number): Sums {
  const n = checkWeightingInput(input);
  const perToken = input.perToken;
  if (!perToken) {
    throw new InvalidArgumentError('truncateTokens needs per-token log-probs (WeightingInput.perToken)', {
      hint: 'compute them with computeSequenceLogProbs(policy, pairs, { keepPerToken: true })',
    });
  }
  const sumFirst = (rows: Float32Array[], name: string): Float64Array => {
    if (rows.length !== n) throw new ShapeError(`perToken.${name} has ${rows.length} rows, expected ${n}`);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const end = Math.min(k, row.length);
      let s = 0;
      for (let t = 0; t < end; t++) s += row[t]!;
      out[i] = s;
    }
    return out;
  };
  return {
    policyChosen: sumFirst(perToken.policyChosen, 'policyChosen'),
    policyRejected: sumFirst(perToken.policyRejected, 'policyRejected'),
    samplerChosen: sumFirst(perToken.samplerChosen, 'samplerChosen'),
    samplerRejected: sumFirst(perToken.samplerRejected, 'samplerRejected'),
  };
}
