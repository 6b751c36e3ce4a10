import { InvalidArgumentError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { targetShardRange } from './target-shard-range';

describe('targetShardRange', () => {
  it('gives the extra targets to the first shards', () => {
    expect(targetShardRange(3, { index: 0, count: 2 })).toEqual([0, 2]);
    expect(targetShardRange(3, { index: 1, count: 2 })).toEqual([2, 3]);
    expect([0, 1, 2, 3].map((index) => targetShardRange(6, { index, count: 4 }))).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
      [5, 6],
    ]);
    expect(targetShardRange(4)).toEqual([0, 4]);
  });

  it('covers every target exactly once, in order, sizes within one', () => {
    for (let targets = 0; targets <= 9; targets++) {
      for (let count = 1; count <= 5; count++) {
        const ranges = Array.from({ length: count }, (_, index) =>
          targetShardRange(targets, { index, count }),
        );
        expect(ranges[0]![0]).toBe(0);
        expect(ranges.at(-1)![1]).toBe(targets);
        for (const [i, [first]] of ranges.slice(1).entries()) expect(first).toBe(ranges[i]![1]);
        const sizes = ranges.map(([a, b]) => b - a);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      }
    }
  });

  it('refuses a shard outside its count', () => {
    expect(() => targetShardRange(3, { index: 2, count: 2 })).toThrow(InvalidArgumentError);
    expect(() => targetShardRange(3, { index: 0, count: 0 })).toThrow(/0 ≤ index < count/);
  });
});
