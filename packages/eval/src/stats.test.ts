import { describe, expect, it } from 'vitest';
import { averageRanks, spearman, tInterval95, tQuantile975, welchInterval, winRate } from './stats';

describe('stats', () => {
  it('win rate is strict, ties counted separately', () => {
    const r = winRate([3, 2, 2, 1, 5], [1, 2, 3, 1, 4]);
    expect(r).toEqual({ n: 5, winRate: 0.4, tieRate: 0.4, lossRate: 0.2 });
  });

  it('t-interval uses t_{0.975, n-1} (scipy values)', () => {
    expect(tQuantile975(2)).toBeCloseTo(4.302653, 6);
    expect(tQuantile975(31)).toBeCloseTo(2.039513, 4);
    expect(tQuantile975(60)).toBeCloseTo(2.000298, 4);
    expect(tQuantile975(120)).toBeCloseTo(1.97993, 4);
    const ci = tInterval95([1, 2, 3]); // mean 2, s = 1, t_{.975,2} / √3
    expect(ci.mean).toBe(2);
    expect(ci.halfWidth).toBeCloseTo(4.302653 / Math.sqrt(3), 6);
    expect(Number.isNaN(tInterval95([1]).halfWidth)).toBe(true);
  });

  it('t quantiles between whole df (Welch) match scipy to 1e-3 relative', () => {
    // scipy.stats.t.ppf(0.975, df)
    for (const [df, exact] of [
      [2.9412, 3.218744],
      [7.3, 2.345067],
      [15.5, 2.125477],
    ] as const)
      expect(Math.abs(tQuantile975(df) / exact - 1)).toBeLessThan(1e-3);
    expect(tQuantile975(30)).toBeCloseTo(2.042272, 6);
    expect(Number.isNaN(tQuantile975(0.5))).toBe(true);
  });

  it('welchInterval matches a hand-computed case', () => {
    // a: mean 2, s² = 1 (n 3); b: mean 0, s² = 4 (n 3). se² = 1/3 + 4/3 = 5/3; df = (5/3)² / ((1/9)/2 + (16/9)/2) = 2.9412.
    const w = welchInterval([1, 2, 3], [-2, 0, 2]);
    expect(w.mean).toBeCloseTo(2, 12);
    expect(w.df).toBeCloseTo(25 / 9 / (17 / 18), 10);
    // t_{0.975, 2.9412} = 3.2187 (scipy)
    expect((w.high - w.mean) / Math.sqrt(5 / 3)).toBeCloseTo(3.2187, 2);
    expect(w.low).toBeCloseTo(2 - (w.high - 2), 12);
    // Constant samples (a stage both arms share): the exact difference.
    expect(welchInterval([0, 0, 0], [0, 0])).toEqual({
      mean: 0,
      low: 0,
      high: 0,
      df: Number.POSITIVE_INFINITY,
    });
  });

  it('average ranks and Spearman correlation', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 100, 1000, 10000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks x = [1,2,3], y = [1,3,2]: Pearson = 0.5
    expect(spearman([1, 2, 3], [5, 9, 7])).toBeCloseTo(0.5, 12);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
  });
});
