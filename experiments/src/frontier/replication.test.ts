import { describe, expect, it } from 'vitest';
import { replicationTable, welchInterval } from './replication.mjs';

describe('replication on unseen seeds', () => {
  it('welchInterval matches a hand-computed case', () => {
    // a: mean 2, s² = 1 (n 3); b: mean 0, s² = 4 (n 3). se² = 1/3 + 4/3 = 5/3; df = (5/3)² / ((1/9)/2 + (16/9)/2) = 2.9412.
    const w = welchInterval([1, 2, 3], [-2, 0, 2]);
    expect(w.mean).toBeCloseTo(2, 12);
    expect(w.df).toBeCloseTo(25 / 9 / (17 / 18), 10);
    // t_{0.975, 2.94} ≈ 3.21 (between 4.303 at df 2 and 3.182 at df 3, nearer the latter).
    const half = w.high - w.mean;
    expect(half / Math.sqrt(5 / 3)).toBeGreaterThan(3.182);
    expect(half / Math.sqrt(5 / 3)).toBeLessThan(3.3);
    expect(w.low).toBeCloseTo(2 - half, 12);
    // Constant samples (a stage both arms share): the exact difference.
    expect(welchInterval([0, 0, 0], [0, 0])).toEqual({
      mean: 0,
      low: 0,
      high: 0,
      df: Number.POSITIVE_INFINITY,
    });
  });

  it('pairs each seed set and flags sizes that disagree', () => {
    const arms = (diffs: number[], offset: number) => ({
      a: Object.fromEntries(diffs.map((d, i) => [offset + i, { gold: 0.5 + d, kl: 1 }])),
      b: Object.fromEntries(diffs.map((_, i) => [offset + i, { gold: 0.5, kl: 1 + diffs[i]! }])),
    });
    const t = replicationTable(arms([0.1, 0.12, 0.08, 0.1], 10), arms([0.11, 0.09, 0.1, 0.1], 30), 'a', 'b');
    expect(t.originalSeeds).toEqual([10, 11, 12, 13]);
    expect(t.replicationSeeds).toEqual([30, 31, 32, 33]);
    expect(t.rows.gold!.original.mean).toBeCloseTo(0.1, 12);
    expect(t.rows.gold!.replication.mean).toBeCloseTo(0.1, 12);
    expect(t.rows.gold!.consistent).toBe(true);
    // kl: a − b = −d on both sets: consistent too; a shifted set is not.
    const shifted = replicationTable(
      arms([0.1, 0.12, 0.08, 0.1], 10),
      arms([-0.1, -0.11, -0.09, -0.1], 30),
      'a',
      'b',
    );
    expect(shifted.rows.gold!.consistent).toBe(false);
    expect(shifted.rows.gold!.shift.mean).toBeCloseTo(-0.2, 12);
  });
});
