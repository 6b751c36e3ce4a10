import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { whitenHost } from './whiten-host';

describe('whitenHost', () => {
  it('whitens over valid entries with the unbiased variance (hand-computed) and zeroes padding', async () => {
    const before = tf.memory().numTensors;
    // valid [1, 2, 3]: mean 2, unbiased variance ((1 + 0 + 1) / 3) · 3/2 = 1.
    const out = await whitenHost(new Float32Array([1, 2, 3, 100]), [1, 1, 1, 0], [2, 2]);
    [-1, 0, 1, 0].forEach((e, i) => {
      expect(out[i]).toBeCloseTo(e, 5);
    });
    const kept = await whitenHost(new Float32Array([1, 2, 3, 100]), [1, 1, 1, 0], [1, 4], false);
    [1, 2, 3, 0].forEach((e, i) => {
      expect(kept[i]).toBeCloseTo(e, 5);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves fewer than two valid entries unwhitened', async () => {
    expect([...(await whitenHost(new Float32Array([4, 5]), [0, 1], [1, 2]))]).toEqual([0, 5]);
  });
});
