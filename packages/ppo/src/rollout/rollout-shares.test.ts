import { describe, expect, it } from 'vitest';
import { rolloutShares } from './collect-rollout';
import { mergeRolloutParts } from './merge-rollout-parts';
import type { RolloutPart } from './rollout-part';

describe('rolloutShares', () => {
  it('cuts whole micro-batches into contiguous shares, the first ones larger', () => {
    expect(rolloutShares(64, 16, 2)).toEqual([
      { start: 0, end: 32 },
      { start: 32, end: 64 },
    ]);
    expect(rolloutShares(64, 16, 3)).toEqual([
      { start: 0, end: 32 },
      { start: 32, end: 48 },
      { start: 48, end: 64 },
    ]);
    // A ragged last micro-batch stays whole; fewer micro-batches than shares give fewer shares.
    expect(rolloutShares(10, 4, 2)).toEqual([
      { start: 0, end: 8 },
      { start: 8, end: 10 },
    ]);
    expect(rolloutShares(8, 8, 2)).toEqual([{ start: 0, end: 8 }]);
    expect(rolloutShares(8, 4, 1)).toEqual([{ start: 0, end: 8 }]);
  });
});

/** A part of `rows` rows whose every value is `v` (prompt length 1, 2 response positions). */
function part(rows: number, v: number): RolloutPart {
  const T = 3;
  const f = (n: number) => new Float32Array(n).fill(v);
  return {
    sample: {
      batch: {
        ids: new Int32Array(rows * T).fill(v),
        mask: new Uint8Array(rows * T).fill(1),
        batchSize: rows,
        seqLength: T,
        promptLength: 1,
      },
      logProbs: f(rows * 2),
      logProbSums: new Float64Array(rows).fill(v),
      hasEos: new Uint8Array(rows).fill(v),
    },
    forwards: {
      logpOld: f(rows * 2),
      entropy: f(rows * 2),
      logpRef: f(rows * 2),
      values: f(rows * 2),
      scores: f(rows),
    },
    timing: { sampling: 0, scoring: 0 },
  };
}

describe('mergeRolloutParts', () => {
  it('stacks the parts in row order', () => {
    const { sample, forwards } = mergeRolloutParts(
      [part(2, 1), part(1, 2)],
      [
        { start: 0, end: 2 },
        { start: 2, end: 3 },
      ],
    );
    expect(sample.batch.batchSize).toBe(3);
    expect(Array.from(sample.batch.ids)).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2]);
    expect(Array.from(sample.hasEos)).toEqual([1, 1, 2]);
    expect(Array.from(sample.logProbSums)).toEqual([1, 1, 2]);
    expect(Array.from(forwards.values)).toEqual([1, 1, 1, 1, 2, 2]);
    expect(Array.from(forwards.scores)).toEqual([1, 1, 2]);
  });

  it('refuses a part with other rows than asked (a policy ignoring `rows`)', () => {
    expect(() =>
      mergeRolloutParts(
        [part(2, 1), part(3, 2)],
        [
          { start: 0, end: 2 },
          { start: 2, end: 3 },
        ],
      ),
    ).toThrow(/rows \[2, 3\) holds 3 rows/);
  });
});
