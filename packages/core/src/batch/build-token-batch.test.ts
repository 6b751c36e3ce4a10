import { describe, expect, it } from 'vitest';
import { responseLength } from '../contracts/token-batch';
import { InvalidArgumentError } from '../errors';
import { buildTokenBatch } from './build-token-batch';

describe('buildTokenBatch', () => {
  it('left-pads prompts and right-pads responses', () => {
    const batch = buildTokenBatch({ prompts: [[5, 6], [7]], responses: [[8, 2], [9]], padId: 0 });
    expect(batch.batchSize).toBe(2);
    expect(batch.seqLength).toBe(4);
    expect(batch.promptLength).toBe(2);
    expect(Array.from(batch.ids)).toEqual([5, 6, 8, 2, 0, 7, 9, 0]);
    expect(Array.from(batch.mask)).toEqual([1, 1, 1, 1, 0, 1, 1, 0]);
  });

  it('uses fixed lengths and the pad id', () => {
    const batch = buildTokenBatch({
      prompts: [[1]],
      responses: [[2]],
      padId: 99,
      promptLength: 3,
      responseLength: 2,
    });
    expect(Array.from(batch.ids)).toEqual([99, 99, 1, 2, 99]);
    expect(Array.from(batch.mask)).toEqual([0, 0, 1, 1, 0]);
    expect(responseLength(batch)).toBe(2);
  });

  it('builds prompt-only batches', () => {
    const batch = buildTokenBatch({ prompts: [[1, 2, 3], [4]], padId: 0 });
    expect(batch.seqLength).toBe(3);
    expect(Array.from(batch.ids)).toEqual([1, 2, 3, 0, 0, 4]);
    expect(Array.from(batch.mask)).toEqual([1, 1, 1, 0, 0, 1]);
  });

  it('accepts typed arrays and empty responses', () => {
    const batch = buildTokenBatch({
      prompts: [Int32Array.of(3)],
      responses: [[]],
      padId: 0,
      responseLength: 1,
    });
    expect(Array.from(batch.ids)).toEqual([3, 0]);
    expect(Array.from(batch.mask)).toEqual([1, 0]);
  });

  it('throws when a sequence is longer than the fixed length or counts differ', () => {
    expect(() => buildTokenBatch({ prompts: [[1, 2]], padId: 0, promptLength: 1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      buildTokenBatch({ prompts: [[1]], responses: [[1, 2]], padId: 0, responseLength: 1 }),
    ).toThrow(/more than `responseLength`/);
    expect(() => buildTokenBatch({ prompts: [[1]], responses: [], padId: 0 })).toThrow(InvalidArgumentError);
  });
});
