import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setBackendForTests } from './init-backend';
import { restoreBackendAndFixes, seeded } from './test-support/kernel-test-helpers';

restoreBackendAndFixes();

type Case = { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean };
const CASES: Case[] = [
  { name: '2-D', a: [5, 3], b: [3, 4], ta: false, tb: false },
  { name: '2-D transposeB', a: [5, 3], b: [4, 3], ta: false, tb: true },
  { name: '2-D transposeA', a: [3, 5], b: [3, 4], ta: true, tb: false },
  { name: '2-D both', a: [3, 5], b: [4, 3], ta: true, tb: true },
  { name: '3-D batched transposeB', a: [2, 5, 3], b: [2, 4, 3], ta: false, tb: true },
  { name: '3-D broadcast b', a: [2, 5, 3], b: [1, 3, 4], ta: false, tb: false },
];

/**
 * Gradients of sum(w ⊙ matMul(a, b)) (or of a fused matmul with bias and relu) on the current backend. With
 * `tileB`, b is tiled to a's batch size inside the function (the stock gradient cannot broadcast), so its gradient
 * is the reference sum over the batch.
 */
function matMulGrads(c: Case, fused: boolean, tileB = false): number[][] {
  return tf.tidy(() => {
    const a = seeded(c.a, 1);
    const b = seeded(c.b, 2);
    const expand = (y: tf.Tensor) => (tileB ? tf.tile(y, [c.a[0] as number, 1, 1]) : y);
    const outShape = tf.matMul(a, expand(b), c.ta, c.tb).shape;
    const w = seeded(outShape, 3);
    const bias = seeded([outShape[outShape.length - 1] as number], 4);
    const f = (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(
        tf.mul(
          fused
            ? tf.fused.matMul({ a: x, b: y, transposeA: c.ta, transposeB: c.tb, bias, activation: 'relu' })
            : tf.matMul(x, expand(y), c.ta, c.tb),
          w,
        ),
      );
    return tf
      .grads(f)([a, b])
      .map((g) => Array.from(g.dataSync()));
  });
}

describe('BatchMatMul gradient on wasm', () => {
  it.each(CASES)('matMul gradient ($name) on wasm equals the stock cpu gradient to 1e-5', async (c) => {
    await setBackendForTests('cpu');
    const want = matMulGrads(c, false, c.a[0] !== c.b[0] && c.a.length === 3);
    const wantFused = c.a.length === 2 ? matMulGrads(c, true) : undefined;
    await setBackendForTests('wasm');
    const got = matMulGrads(c, false);
    for (let i = 0; i < 2; i++) {
      const g = got[i] as number[];
      expect(g.length).toBe((want[i] as number[]).length);
      (want[i] as number[]).forEach((w, j) => {
        expect(Math.abs((g[j] as number) - w)).toBeLessThan(1e-5);
      });
    }
    if (wantFused) {
      const gotFused = matMulGrads(c, true);
      wantFused.forEach((grad, i) => {
        grad.forEach((w, j) => {
          expect(Math.abs(((gotFused[i] as number[])[j] as number) - w)).toBeLessThan(1e-5);
        });
      });
    }
  });

  it('use explicit transposes on wasm only, and leak nothing', async () => {
    const profileKernels = async () => {
      const a = seeded([4, 3], 1);
      const b = seeded([3, 2], 2);
      const info = await tf.profile(() => {
        const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]);
        tf.dispose(g);
      });
      tf.dispose([a, b]);
      return info.kernelNames;
    };
    await setBackendForTests('wasm');
    expect(await profileKernels()).toContain('Transpose');
    await setBackendForTests('cpu');
    expect(await profileKernels()).not.toContain('Transpose');
    await setBackendForTests('wasm');
    const a = seeded([6, 4], 5);
    const b = seeded([5, 4], 6);
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, false, true)))([a, b]));
    tf.matMul(a, b, false, true).dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([a, b]);
  });
});
