import { buildTokenBatch, selectBatchRows } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { valueMaskOf } from '../math/kl-penalized-rewards';
import { criticBatch, selectRows } from './rows';

describe('rollout rows', () => {
  const batch = buildTokenBatch({
    prompts: [[5, 6], [7]],
    responses: [
      [8, 1],
      [9, 9, 9],
    ],
    padId: 0,
    responseLength: 3,
  });

  it('selects rows of a batch and of host arrays', () => {
    const picked = selectBatchRows(batch, [1, 0]);
    expect([...picked.ids]).toEqual([0, 7, 9, 9, 9, 5, 6, 8, 1, 0]);
    expect([...picked.mask]).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect([...selectRows([1, 2, 3, 4, 5, 6], 3, [1, 1, 0])]).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
  });

  it("makes the 'eosPlus1' slot valid for the critic, with id 0", () => {
    const mask = new Uint8Array([1, 1, 0, 1, 1, 1]);
    expect(criticBatch(batch, valueMaskOf(mask, 2, 'eos'))).toBe(batch);
    const extended = criticBatch(batch, valueMaskOf(mask, 2, 'eosPlus1'));
    expect([...extended.mask]).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
    expect([...extended.ids]).toEqual([5, 6, 8, 1, 0, 0, 7, 9, 9, 9]);
    expect([...batch.mask]).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1]);
  });
});
