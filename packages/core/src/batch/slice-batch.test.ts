import { describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { buildTokenBatch } from './build-token-batch';
import { concatBatches, sliceBatch } from './slice-batch';

describe('sliceBatch', () => {
  const batch = buildTokenBatch({ prompts: [[1], [2, 3], [4]], responses: [[5], [6], [7, 8]], padId: 0 });

  it('takes rows [start, end) as copies', () => {
    const s = sliceBatch(batch, 1, 3);
    expect(s.batchSize).toBe(2);
    expect(s.promptLength).toBe(2);
    expect(Array.from(s.ids)).toEqual([2, 3, 6, 0, 0, 4, 7, 8]);
    expect(Array.from(s.mask)).toEqual([1, 1, 1, 0, 0, 1, 1, 1]);
    s.ids[0] = 42;
    expect(batch.ids[4]).toBe(2);
  });

  it('clamps bounds', () => {
    expect(sliceBatch(batch, 2, 10).batchSize).toBe(1);
    expect(sliceBatch(batch, -1).batchSize).toBe(1);
    expect(sliceBatch(batch, 3, 1).batchSize).toBe(0);
  });
});

describe('concatBatches', () => {
  it('stacks same-shaped batches', () => {
    const a = buildTokenBatch({ prompts: [[1]], responses: [[2]], padId: 0 });
    const b = buildTokenBatch({ prompts: [[3]], responses: [[4]], padId: 0 });
    const c = concatBatches([a, b]);
    expect(c.batchSize).toBe(2);
    expect(Array.from(c.ids)).toEqual([1, 2, 3, 4]);
  });

  it('re-pads batches of different lengths (prompts left, responses right)', () => {
    const a = buildTokenBatch({ prompts: [[1, 2]], responses: [[3]], padId: 9 });
    const b = buildTokenBatch({ prompts: [[4]], responses: [[5, 6]], padId: 9 });
    expect(() => concatBatches([a, b])).toThrow(ShapeError);
    const c = concatBatches([a, b], { padId: 9 });
    expect(c.promptLength).toBe(2);
    expect(c.seqLength).toBe(4);
    expect(Array.from(c.ids)).toEqual([1, 2, 3, 9, 9, 4, 5, 6]);
    expect(Array.from(c.mask)).toEqual([1, 1, 1, 0, 0, 1, 1, 1]);
    // equals building the whole batch at once
    const whole = buildTokenBatch({ prompts: [[1, 2], [4]], responses: [[3], [5, 6]], padId: 9 });
    expect(Array.from(c.ids)).toEqual(Array.from(whole.ids));
  });
});
