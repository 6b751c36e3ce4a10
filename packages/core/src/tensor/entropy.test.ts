import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { entropyFromLogits, logSumSquaredProbs } from './entropy';

const L2 = Math.log(2);
const L3 = Math.log(3);

describe('entropyFromLogits', () => {
  it('hand-computed: uniform over 4 → ln 4; p = [1/6, 1/3, 1/2] → 1.011404', () => {
    tf.tidy(() => {
      expect(entropyFromLogits(tf.tensor3d([[[5, 5, 5, 5]]])).dataSync()[0]).toBeCloseTo(Math.log(4), 5);
      const h = entropyFromLogits(tf.tensor3d([[[0, L2, L3]]]));
      expect(h.shape).toEqual([1, 1]);
      expect(h.dataSync()[0]).toBeCloseTo(1.011404, 5);
      // temperature 2 on [0, 2·ln2, 2·ln3] is the same distribution
      expect(entropyFromLogits(tf.tensor3d([[[0, 2 * L2, 2 * L3]]]), 2).dataSync()[0]).toBeCloseTo(
        1.011404,
        5,
      );
    });
  });

  it('leaks nothing', () => {
    const logits = tf.randomNormal([2, 3, 5]);
    const before = tf.memory().numTensors;
    entropyFromLogits(logits, 0.7).dispose();
    logSumSquaredProbs(logits).dispose();
    expect(tf.memory().numTensors).toBe(before);
    logits.dispose();
  });
});

describe('logSumSquaredProbs', () => {
  it('hand-computed: p = [1/6, 1/3, 1/2] → log(14/36)', () => {
    tf.tidy(() => {
      const out = logSumSquaredProbs(
        tf.tensor3d([
          [
            [0, L2, L3],
            [1, 1, 1],
          ],
        ]),
      );
      expect(out.shape).toEqual([1, 2]);
      expect(out.dataSync()[0]).toBeCloseTo(Math.log(14 / 36), 5);
      expect(out.dataSync()[1]).toBeCloseTo(Math.log(1 / 3), 5);
    });
  });

  it('is stable for large logits', () => {
    tf.tidy(() => {
      const out = logSumSquaredProbs(tf.tensor2d([[1000, 0]]));
      expect(out.dataSync()[0]).toBeCloseTo(0, 5);
    });
  });
});
