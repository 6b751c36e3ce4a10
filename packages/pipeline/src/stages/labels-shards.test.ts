import type { GoldJudge } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { labelsShardRange } from './labels-shards';

const judge = (batchSize?: number) => ({ batchSize }) as unknown as GoldJudge;

describe('labelsShardRange', () => {
  it('cuts contiguous pair ranges covering every pair once', () => {
    const ranges = [0, 1, 2].map((index) => labelsShardRange(10, judge(), { index, count: 3 }));
    expect(ranges).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
  });

  it('starts every shard at a multiple of the judge batch (in responses: 2 per pair)', () => {
    // Batch 8 responses = 4 pairs: 10 pairs are 3 blocks (4, 4, 2).
    const even = [0, 1].map((index) => labelsShardRange(10, judge(8), { index, count: 2 }));
    expect(even).toEqual([
      [0, 4],
      [4, 10],
    ]);
    for (const [start] of even) expect((2 * start) % 8).toBe(0);
    // An odd batch (3 responses) needs blocks of 3 pairs.
    const odd = [0, 1, 2].map((index) => labelsShardRange(10, judge(3), { index, count: 3 }));
    expect(odd).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    for (const [start] of odd) expect((2 * start) % 3).toBe(0);
    // More shards than blocks: some are empty, none overlaps.
    expect([0, 1, 2].map((index) => labelsShardRange(3, judge(8), { index, count: 3 }))).toEqual([
      [0, 0],
      [0, 0],
      [0, 3],
    ]);
  });
});
