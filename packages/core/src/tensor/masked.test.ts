import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../errors';
import { maskedMean, maskedSum, maskedVariance, maskedWhiten } from './masked';

const x = () =>
  tf.tensor2d([
    [1, 2, 3],
    [4, 5, 6],
  ]);
const mask = () =>
  tf.tensor2d([
    [1, 1, 0],
    [1, 0, 0],
  ]);

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('masked reductions', () => {
  it('maskedSum over everything and per row', () => {
    tf.tidy(() => {
      expect(values(maskedSum(x(), mask()))).toEqual([7]);
      expect(values(maskedSum(x(), mask(), 1))).toEqual([3, 4]);
      expect(values(maskedSum(x(), tf.cast(mask(), 'int32'), 0))).toEqual([5, 2, 0]);
    });
  });

  it('maskedMean; an all-masked slice gives 0', () => {
    tf.tidy(() => {
      expect(maskedMean(x(), mask()).dataSync()[0]).toBeCloseTo(7 / 3, 6);
      expect(values(maskedMean(x(), mask(), 1))).toEqual([1.5, 4]);
      expect(values(maskedMean(x(), mask(), 0))).toEqual([2.5, 2, 0]);
    });
  });

  it('maskedVariance: valid values 1, 2, 4 → biased 14/9, unbiased 7/3', () => {
    tf.tidy(() => {
      expect(maskedVariance(x(), mask(), false).dataSync()[0]).toBeCloseTo(14 / 9, 5);
      expect(maskedVariance(x(), mask()).dataSync()[0]).toBeCloseTo(7 / 3, 5);
      expect(() =>
        maskedVariance(
          x(),
          tf.tensor2d([
            [1, 0, 0],
            [0, 0, 0],
          ]),
        ),
      ).toThrow(InvalidArgumentError);
    });
  });

  it('maskedWhiten: (x - 7/3) / sqrt(7/3), masked entries 0', () => {
    tf.tidy(() => {
      const w = values(maskedWhiten(x(), mask()));
      const expected = [-0.872872, -0.218218, 0, 1.091089, 0, 0];
      w.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i] as number, 5);
      });
      const shifted = values(maskedWhiten(x(), mask(), false));
      const expectedShifted = [1.460461, 2.115115, 0, 3.424423, 0, 0];
      shifted.forEach((v, i) => {
        expect(v).toBeCloseTo(expectedShifted[i] as number, 5);
      });
    });
  });

  it('rejects mismatched shapes', () => {
    tf.tidy(() => {
      expect(() => maskedSum(x(), tf.ones([3]))).toThrow(ShapeError);
    });
  });

  it('leaks nothing', () => {
    const a = x();
    const m = mask();
    const before = tf.memory().numTensors;
    for (const out of [
      maskedSum(a, m),
      maskedMean(a, m, 1),
      maskedVariance(a, m),
      maskedWhiten(a, m),
      maskedWhiten(a, m, false),
    ]) {
      out.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, m]);
  });
});

describe('maskedMean in a loss', () => {
  it('is differentiable (no Equal op on the gradient path) and gives x.mask / count', () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const mask = tf.tensor2d([
      [1, 1, 0],
      [0, 0, 0],
    ]);
    const grad = tf.grad((v: tf.Tensor) => maskedMean(v, mask) as tf.Scalar)(x);
    // Two valid entries: d mean / d x = mask / 2.
    expect(Array.from(grad.dataSync())).toEqual([0.5, 0.5, 0, 0, 0, 0]);
    const perRow = tf.grad((v: tf.Tensor) => tf.sum(maskedMean(v, mask, 1)) as tf.Scalar)(x);
    // Row 0 has 2 valid entries, row 1 none (its mean is 0 and gets no gradient).
    expect(Array.from(perRow.dataSync())).toEqual([0.5, 0.5, 0, 0, 0, 0]);
    tf.dispose([x, mask, grad, perRow]);
  });
});
