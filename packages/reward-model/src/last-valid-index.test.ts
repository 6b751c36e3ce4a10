import { pairTokenBatch } from '@ocrm/core';
import { makePair } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { lastValidIndex } from './last-valid-index';

describe('lastValidIndex', () => {
  it('finds the last valid token of every row of a pair batch', () => {
    // ids = [3 4 5 2 0 | 0 3 2 0 0 | 3 4 6 7 2 | 0 3 8 2 0] (core's pairTokenBatch: chosen rows, then rejected)
    const batch = pairTokenBatch(
      [makePair('a', [3, 4], [5, 2], [6, 7, 2]), makePair('b', [3], [2], [8, 2])],
      {
        padId: 0,
      },
    );
    expect(Array.from(lastValidIndex(batch))).toEqual([3, 2, 4, 3]);
  });
});
