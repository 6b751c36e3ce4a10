import type { WeightingInput } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { adaptiveImportanceWeighting, essFractionAt, lambdaForEss } from './adaptive-importance-weighting';
import { importanceWeighting } from './importance-weighting';

/** Pairs whose policy-minus-sampler log-ratio per response is `d[i]` (both responses), sampler sums -5. */
function input(d: number[]): WeightingInput {
  const s = Float64Array.from(d, () => -5);
  const p = Float64Array.from(d, (x) => -5 + x);
  return { logpPolicyChosen: p, logpPolicyRejected: p, logpSamplerChosen: s, logpSamplerRejected: s };
}

describe('essFractionAt', () => {
  it('matches (Σw)²/(NΣw²) computed by hand', () => {
    // ratios 0 and ln 4 at λ = 0.5: weights 1 and 2 → (3)² / (2 · 5) = 0.9
    expect(essFractionAt([0, Math.log(4)], 0.5)).toBeCloseTo(0.9, 12);
    expect(essFractionAt([0, 7, -3], 0)).toBeCloseTo(1, 14);
  });
});

describe('lambdaForEss', () => {
  const ratios = Array.from({ length: 400 }, (_, i) => Math.sin(i) * 3 + (i % 7) * 0.4);

  it.each([0.9, 0.6, 0.3, 0.05])('meets ESS/N %s within ±0.01', (target) => {
    const lambda = lambdaForEss(ratios, target);
    expect(lambda).toBeGreaterThan(0);
    expect(Math.abs(essFractionAt(ratios, lambda) - target)).toBeLessThanOrEqual(0.01);
  });

  it('a lower target needs a larger λ; target 1 is λ = 0', () => {
    expect(lambdaForEss(ratios, 0.3)).toBeGreaterThan(lambdaForEss(ratios, 0.6));
    expect(lambdaForEss(ratios, 1)).toBe(0);
  });

  it('hand case: two pairs with ratios 0 and ln 4 reach ESS/N 0.9 at λ = 0.5', () => {
    expect(lambdaForEss([0, Math.log(4)], 0.9, { tolerance: 1e-6 })).toBeCloseTo(0.5, 4);
  });

  it('throws naming the reached ESS when the ratios are all equal (policy = sampler)', () => {
    expect(() => lambdaForEss([1.5, 1.5, 1.5], 0.5)).toThrow(/targetEss 0\.5 cannot be reached.*1\.0000/);
  });

  it('throws when clipping bounds the weights above the target', () => {
    // clip 0.1: weights within e^±0.1, so ESS/N stays ≈ 0.99
    expect(() => lambdaForEss(ratios, 0.5, { clipLogWeight: 0.1 })).toThrow(/cannot be reached/);
  });
});

describe('adaptiveImportanceWeighting', () => {
  const d = Array.from({ length: 300 }, (_, i) => ((i * 37) % 11) / 2 - 2.5);

  it('gives importanceWeighting at the chosen λ, and its ESS meets the target', () => {
    const strategy = adaptiveImportanceWeighting({ targetEss: 0.5, alpha: 0.1 });
    const result = strategy.weigh(input(d));
    expect(Math.abs(result.diagnostics.essFraction - 0.5)).toBeLessThanOrEqual(0.01);
    const fixed = importanceWeighting({ ratioExponent: result.ratioExponent, alpha: 0.1 }).weigh(input(d));
    expect(Array.from(result.logWeights)).toEqual(Array.from(fixed.logWeights));
  });

  it('rejects a target outside (0, 1] and a bad α', () => {
    expect(() => adaptiveImportanceWeighting({ targetEss: 0, alpha: 0.1 })).toThrow(/targetEss.*\(0, 1\]/);
    expect(() => adaptiveImportanceWeighting({ targetEss: 1.2, alpha: 0.1 })).toThrow(/targetEss/);
    expect(() => adaptiveImportanceWeighting({ targetEss: 0.5, alpha: 2 })).toThrow(/alpha/);
  });
});
