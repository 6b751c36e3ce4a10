import { ConfigError, InvalidArgumentError, NumericError, type WeightingInput } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { composeWeighting } from './compose-weighting';
import {
  importanceWeighting,
  logRelativeRatio,
  resolveImportanceWeightingConfig,
} from './importance-weighting';
import { uniformWeighting } from './uniform-weighting';

const input = (pc: number[], pr: number[], sc: number[], sr: number[]): WeightingInput => ({
  logpPolicyChosen: Float64Array.from(pc),
  logpPolicyRejected: Float64Array.from(pr),
  logpSamplerChosen: Float64Array.from(sc),
  logpSamplerRejected: Float64Array.from(sr),
});

describe('logRelativeRatio', () => {
  it('matches hand-computed values of -log(alpha + (1 - alpha) exp(S_sft - S_pi))', () => {
    // -log(0.1 + 0.9 e^-2) and -log(0.1 + 0.9 e^5), computed in Python.
    expect(logRelativeRatio(-10, -12, 0.1)).toBeCloseTo(1.505971291955821, 12);
    expect(logRelativeRatio(-20, -15, 0.1)).toBeCloseTo(-4.895387865013165, 12);
  });

  it('is S_pi - S_sft at alpha 0 and exactly 0 at alpha 1', () => {
    expect(logRelativeRatio(-10, -12, 0)).toBe(2);
    expect(logRelativeRatio(-5000, -4800, 1)).toBe(0);
    expect(logRelativeRatio(-7, -7, 0)).toBe(0);
  });

  it('is exactly 0 for equal sums, for any alpha', () => {
    expect(logRelativeRatio(-42, -42, 0)).toBe(0);
    expect(Object.is(logRelativeRatio(-5000, -5000, 0.1), 0)).toBe(true);
    expect(Object.is(logRelativeRatio(-42, -42, 0.37), 0)).toBe(true);
  });

  it('stays finite for sums of -5000 nats and 200-nat differences', () => {
    expect(logRelativeRatio(-5000, -5003, 0.1)).toBeCloseTo(1.9323440553173514, 12);
    expect(logRelativeRatio(-5000, -4800, 0.1)).toBeCloseTo(-199.89463948434218, 10);
    expect(logRelativeRatio(-4800, -5000, 0.1)).toBeCloseTo(Math.log(10), 12); // capped at 1/alpha
  });
});

describe('importanceWeighting', () => {
  it('gives hand-computed per-pair log-weights λ (log r_c + log r_r)', () => {
    const { logWeights } = importanceWeighting({ ratioExponent: 0.5, alpha: 0.1 }).weigh(
      input([-10, -30], [-20, -30], [-12, -30], [-15, -30]),
    );
    expect(logWeights[0]).toBeCloseTo(-1.6947082865286718, 12);
    expect(Object.is(logWeights[1], 0)).toBe(true);
  });

  it('λ = 0 gives log-weights exactly 0 (not -0), even for -5000-nat sums', () => {
    const { logWeights, diagnostics } = importanceWeighting({ ratioExponent: 0 }).weigh(
      input([-5000, -1], [-4800, -2], [-4990, -3], [-5000, -4]),
    );
    for (const lw of logWeights) expect(Object.is(lw, 0)).toBe(true);
    expect(diagnostics.essFraction).toBe(1);
  });

  it('alpha 1 gives log-weights exactly 0', () => {
    const { logWeights } = importanceWeighting({ ratioExponent: 1, alpha: 1 }).weigh(
      input([-5000], [-100], [-4800], [-300]),
    );
    expect(Object.is(logWeights[0], 0)).toBe(true);
  });

  it('λ = 1, alpha = 0 and 200-nat differences: finite log-weights and a finite BT weight downstream', () => {
    const { logWeights, diagnostics } = importanceWeighting({ ratioExponent: 1, alpha: 0 }).weigh(
      input([-5000, -4800], [-4800, -5000], [-4800, -5000], [-5000, -4800]),
    );
    expect(logWeights[0]).toBe(-200 + 200);
    expect(Array.from(logWeights).every(Number.isFinite)).toBe(true);
    const skewed = importanceWeighting({ ratioExponent: 1, alpha: 0 }).weigh(
      input([-4800, -5000], [-4800, -5000], [-5000, -5000], [-5000, -5000]),
    );
    expect(Array.from(skewed.logWeights)).toEqual([400, 0]);
    expect(Number.isFinite(skewed.diagnostics.logMean)).toBe(true);
    expect(skewed.diagnostics.essFraction).toBeCloseTo(0.5, 12);
    expect(diagnostics.n).toBe(2);
    // Bradley-Terry loss weighted in log space: exp(lw - logMean) * softplus(-margin) stays finite.
    const margin = 3;
    const loss = Math.exp(skewed.logWeights[0]! - skewed.diagnostics.logMean) * Math.log1p(Math.exp(-margin));
    expect(Number.isFinite(loss)).toBe(true);
  });

  it('truncates to the first K tokens from per-token log-probs', () => {
    const base = input([-6], [-6], [-3], [-3]);
    const strategy = importanceWeighting({ ratioExponent: 1, alpha: 0, truncateTokens: 2 });
    expect(() => strategy.weigh(base)).toThrow(InvalidArgumentError);
    const tokens = (values: number[]) => [Float32Array.from(values)];
    const { logWeights } = strategy.weigh({
      ...base,
      perToken: {
        policyChosen: tokens([-1, -2, -3]),
        policyRejected: tokens([-2]),
        samplerChosen: tokens([-1, -1, -1]),
        samplerRejected: tokens([-1]),
      },
    });
    // chosen: (-3) - (-2) = -1; rejected: -2 - (-1) = -1.
    expect(logWeights[0]).toBe(-2);
  });

  it('clips log-weights', () => {
    const { logWeights } = importanceWeighting({ ratioExponent: 1, alpha: 0, clipLogWeight: 5 }).weigh(
      input([-10, -30], [-10, -10], [-20, -10], [-10, -10]),
    );
    expect(Array.from(logWeights)).toEqual([5, -5]);
  });

  it('rejects non-finite sums and bad configs', () => {
    expect(() => importanceWeighting().weigh(input([Number.NaN], [-1], [-1], [-1]))).toThrow(NumericError);
    expect(() => resolveImportanceWeightingConfig({ alpha: 1.5 })).toThrow(ConfigError);
    expect(() => resolveImportanceWeightingConfig({ ratioExponent: -1 })).toThrow(/ratioExponent/);
    expect(() => resolveImportanceWeightingConfig({ truncateTokens: 0 })).toThrow(/truncateTokens/);
    expect(resolveImportanceWeightingConfig()).toEqual({ ratioExponent: 0.001, alpha: 0.1 });
  });
});

describe('uniformWeighting and composeWeighting', () => {
  it('uniform gives zeros with no ESS warning', () => {
    const { logWeights, diagnostics } = uniformWeighting().weigh(
      input([-1, -2], [-3, -4], [-5, -6], [-7, -8]),
    );
    expect(Array.from(logWeights)).toEqual([0, 0]);
    expect(diagnostics.warnings).toEqual([]);
  });

  it('compose sums log-weights', () => {
    const a = importanceWeighting({ ratioExponent: 1, alpha: 0 });
    const data = input([-10], [-10], [-12], [-10]);
    const { logWeights } = composeWeighting(a, uniformWeighting(), a).weigh(data);
    expect(logWeights[0]).toBe(4);
  });
});
