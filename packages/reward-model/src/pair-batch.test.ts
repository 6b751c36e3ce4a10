import type { PreferencePair } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { lastValidIndex, pairBatch } from './pair-batch';

const pair = (
  id: string,
  promptIds: number[],
  chosenIds: number[],
  rejectedIds: number[],
): PreferencePair => ({
  id,
  prompt: '',
  chosen: '',
  rejected: '',
  promptIds,
  chosenIds,
  rejectedIds,
});

describe('pairBatch', () => {
  it('puts chosen rows first, rejected rows after, and finds the last valid token', () => {
    const batch = pairBatch([pair('a', [3, 4], [5, 2], [6, 7, 2]), pair('b', [3], [2], [8, 2])], 0);
    expect(batch.batchSize).toBe(4);
    expect(batch.promptLength).toBe(2);
    expect(batch.seqLength).toBe(5);
    expect(Array.from(batch.ids)).toEqual([3, 4, 5, 2, 0, 0, 3, 2, 0, 0, 3, 4, 6, 7, 2, 0, 3, 8, 2, 0]);
    expect(Array.from(lastValidIndex(batch))).toEqual([3, 2, 4, 3]);
  });
});
