import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchTensors, responseIds, responseMask } from './batch-tensors';
import { buildTokenBatch } from './build-token-batch';

describe('batchTensors', () => {
  const batch = buildTokenBatch({ prompts: [[5, 6], [7]], responses: [[8, 2], [9]], padId: 3 });

  it('zeroes masked ids and computes positions = max(cumsum(mask) - 1, 0)', () => {
    const before = tf.memory().numTensors;
    const t = batchTensors(batch);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(t.ids.dtype).toBe('int32');
    expect(t.mask.dtype).toBe('float32');
    expect(t.positions.dtype).toBe('int32');
    expect(t.ids.shape).toEqual([2, 4]);
    expect(Array.from(t.ids.dataSync())).toEqual([5, 6, 8, 2, 0, 7, 9, 0]);
    expect(Array.from(t.mask.dataSync())).toEqual([1, 1, 1, 1, 0, 1, 1, 0]);
    expect(Array.from(t.positions.dataSync())).toEqual([0, 1, 2, 3, 0, 0, 1, 1]);
    tf.dispose([t.ids, t.mask, t.positions]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('extracts the response part of ids and mask', () => {
    expect(Array.from(responseIds(batch))).toEqual([8, 2, 9, 3]);
    expect(Array.from(responseMask(batch))).toEqual([1, 1, 1, 0]);
  });
});
