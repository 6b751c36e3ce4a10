import { NumericError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { normalizeLogWeights, weightDiagnostics } from './weight-diagnostics';

const logs = (weights: number[], shift = 0) => Float64Array.from(weights, (w) => Math.log(w) + shift);

describe('weightDiagnostics', () => {
  it('ESS of known weights: (Σw)² / Σw², also far from 0 in log space', () => {
    expect(weightDiagnostics(logs([1, 1, 1, 1])).ess).toBeCloseTo(4, 12);
    expect(weightDiagnostics(logs([1, 2, 3, 4])).ess).toBeCloseTo(100 / 30, 12);
    // Shifting every log-weight by ±5000 changes nothing (no overflow/underflow).
    expect(weightDiagnostics(logs([1, 2, 3, 4], 5000)).ess).toBeCloseTo(100 / 30, 10);
    expect(weightDiagnostics(logs([1, 2, 3, 4], -5000)).essFraction).toBeCloseTo(100 / 120, 10);
    const degenerate = weightDiagnostics(Float64Array.from([0, -1000, -1000, -1000]));
    expect(degenerate.ess).toBeCloseTo(1, 12);
  });

  it('min / mean / max, quantiles (log-space interpolation) and the log-space summaries', () => {
    const d = weightDiagnostics(logs([1, 2, 3, 4]));
    expect(d.n).toBe(4);
    expect(d.min).toBeCloseTo(1, 12);
    expect(d.max).toBeCloseTo(4, 12);
    expect(d.mean).toBeCloseTo(2.5, 12);
    expect(d.logMean).toBeCloseTo(Math.log(2.5), 12);
    expect(d.quantiles['0.5']).toBeCloseTo(Math.sqrt(6), 12);
    expect(Object.keys(d.quantiles)).toEqual(['0.01', '0.05', '0.25', '0.5', '0.75', '0.95', '0.99']);
  });

  it('histogram of log-weights and the fraction moved by > 10 % after normalisation', () => {
    const h = weightDiagnostics(Float64Array.from([0, 0.5, 1]), { bins: 2 }).histogram;
    expect(h.edges).toEqual([0, 0.5, 1]);
    expect(h.counts).toEqual([1, 2]);
    const flat = weightDiagnostics(new Float64Array(3)).histogram;
    expect(flat.edges).toHaveLength(21);
    expect(flat.counts.reduce((a, b) => a + b, 0)).toBe(3);
    // mean 1.06: 1 → 0.943 (5.7 %), 1.3 → 1.226 (moved).
    expect(weightDiagnostics(logs([1, 1, 1, 1, 1.3])).fractionMoved).toBeCloseTo(0.2, 12);
  });

  it('warns when ESS/N > 0.99 (no correction) and < 0.1 (degenerate)', () => {
    expect(weightDiagnostics(logs([1, 1.001]))?.warnings[0]).toMatch(/does nothing/);
    const many = Float64Array.from({ length: 100 }, (_, i) => (i === 0 ? 0 : -50));
    expect(weightDiagnostics(many).warnings[0]).toMatch(/few pairs/);
    expect(weightDiagnostics(logs([1, 2, 3, 4])).warnings).toEqual([]);
    expect(weightDiagnostics(logs([1, 1]), { warn: false }).warnings).toEqual([]);
  });

  it('rejects non-finite log-weights and handles an empty set', () => {
    expect(() => weightDiagnostics([0, Number.POSITIVE_INFINITY])).toThrow(NumericError);
    expect(weightDiagnostics([]).warnings).toEqual(['no pairs to weigh']);
  });
});

describe('normalizeLogWeights', () => {
  it('shifts to mean weight 1 in log space, even for huge log-weights', () => {
    const out = normalizeLogWeights([400, 0]);
    expect(out[0]).toBeCloseTo(Math.log(2), 12);
    expect(out[1]).toBeCloseTo(-400 + Math.log(2), 10);
    const small = normalizeLogWeights(logs([1, 2, 3], -3000));
    const mean = (Math.exp(small[0]!) + Math.exp(small[1]!) + Math.exp(small[2]!)) / 3;
    expect(mean).toBeCloseTo(1, 12);
  });
});
