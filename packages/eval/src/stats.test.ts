import { describe, expect, it } from 'vitest';
import { averageRanks, spearman, tInterval95, tQuantile975, winRate } from './stats';

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

  it('average ranks and Spearman correlation', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 100, 1000, 10000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks x = [1,2,3], y = [1,3,2]: Pearson = 0.5
    expect(spearman([1, 2, 3], [5, 9, 7])).toBeCloseTo(0.5, 12);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
  });
});
