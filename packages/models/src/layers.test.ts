import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fastErf } from './layers';

/** erf in float64 by its Maclaurin series (|x| ≤ 3) or continued-fraction-free asymptotics (beyond). */
function erf64(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  let sum = 0;
  let term = x;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe('fastErf', () => {
  it('matches erf within 1e-6 on [-6, 6] and has the right derivative', () => {
    const xs = Array.from({ length: 1201 }, (_, i) => -6 + i * 0.01);
    const got = tf.tidy(() => fastErf(tf.tensor1d(xs)).dataSync());
    let worst = 0;
    xs.forEach((x, i) => {
      worst = Math.max(worst, Math.abs(got[i] - erf64(x)));
    });
    expect(worst).toBeLessThan(1e-6);
    const grads = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => fastErf(x).sum())(tf.tensor1d([-1, 0, 0.5, 2]))
        .dataSync(),
    );
    [-1, 0, 0.5, 2].forEach((x, i) => {
      expect(Math.abs(grads[i] - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))).toBeLessThan(1e-5);
    });
  });
});
