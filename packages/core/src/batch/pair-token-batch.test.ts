import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { makePair } from '../test/make-pair';
import { pairTokenBatch, throughFirstEos } from './pair-token-batch';

const EOS = 1;
const PAD = 0;

describe('throughFirstEos', () => {
  it('keeps ids through the first EOS, all of them without one', () => {
    expect(throughFirstEos([3, EOS, 4, EOS], EOS)).toEqual([3, EOS]);
    const ids = [3, 4];
    const out = throughFirstEos(ids, EOS);
    expect(out).toEqual([3, 4]);
    expect(out).not.toBe(ids);
  });
});

describe('pairTokenBatch', () => {
  it('stacks chosen rows then rejected rows, cut after the first EOS', () => {
    const pairs = [makePair('a', [5, 6], [7, EOS], [8, 9, EOS]), makePair('b', [4], [2, 3, EOS, 3], [9])];
    const batch = pairTokenBatch(pairs, { eosId: EOS, padId: PAD });
    expect(batch.batchSize).toBe(4);
    expect(batch.promptLength).toBe(2);
    expect(batch.seqLength).toBe(5);
    // biome-ignore format: one line per row
    expect(Array.from(batch.ids)).toEqual([
      5, 6, 7, EOS, PAD,
      PAD, 4, 2, 3, EOS,
      5, 6, 8, 9, EOS,
      PAD, 4, 9, PAD, PAD,
    ]);
    expect(Array.from(batch.mask)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0]);
  });

  it('keeps responses whole without eosId', () => {
    const batch = pairTokenBatch(
      [makePair('a', [3, 4], [5, 2], [6, 7, 2]), makePair('b', [3], [2], [8, 2])],
      {
        padId: 0,
      },
    );
    expect(batch.batchSize).toBe(4);
    expect(batch.promptLength).toBe(2);
    expect(batch.seqLength).toBe(5);
    expect(Array.from(batch.ids)).toEqual([3, 4, 5, 2, 0, 0, 3, 2, 0, 0, 3, 4, 6, 7, 2, 0, 3, 8, 2, 0]);
    const uncut = pairTokenBatch([makePair('c', [3], [5, EOS, 6], [EOS])], { padId: PAD });
    expect(Array.from(uncut.ids)).toEqual([3, 5, EOS, 6, 3, EOS, PAD, PAD]);
  });

  it('rejects no pairs and empty responses', () => {
    expect(() => pairTokenBatch([], { padId: PAD })).toThrow(InvalidArgumentError);
    expect(() => pairTokenBatch([makePair('c', [1], [], [2])], { eosId: EOS, padId: PAD })).toThrow(
      /empty response/,
    );
    expect(() => pairTokenBatch([makePair('d', [1], [EOS], [])], { padId: PAD })).toThrow(/pair `d`/);
  });
});
