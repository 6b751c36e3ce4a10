import { describe, expect, it } from 'vitest';
import { replicationTable } from './replication.mjs';

describe('replication on unseen seeds', () => {
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
