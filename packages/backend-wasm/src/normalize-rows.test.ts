import { restoreBackendAfterAll } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setBackendForTests } from './init-backend';
import { normalizeRows } from './normalize-rows';
import { installWasmFixes } from './wasm-fixes';

restoreBackendAfterAll();

/** The norms in float64 (the truth both float32 computations approximate). */
function exact(x: tf.Tensor2D, kind: 'layernorm' | 'rmsnorm', eps: number): Float64Array {
  const [rows, cols] = x.shape;
  const v = x.dataSync();
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(v.subarray(r * cols, (r + 1) * cols));
    const mean = kind === 'rmsnorm' ? 0 : row.reduce((a, b) => a + b, 0) / cols;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols;
    row.forEach((b, i) => {
      out[r * cols + i] = (b - mean) / Math.sqrt(variance + eps);
    });
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);

/** The tensor-op norms: LayerNorm with the biased variance, RMSNorm. */
function reference(x: tf.Tensor2D, kind: 'layernorm' | 'rmsnorm', eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    if (kind === 'rmsnorm') return x.mul(x.square().mean(-1, true).add(eps).rsqrt());
    const centered = x.sub(x.mean(-1, true));
    return centered.mul(centered.square().mean(-1, true).add(eps).rsqrt());
  });
}

describe('normalizeRows (fused wasm LayerNorm / RMSNorm without weights)', () => {
  it('matches the float64 norms and the tensor-op ones, rows with a large offset and widths that are not a multiple of 4', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    for (const [rows, cols] of [
      [5, 64],
      [3, 7],
    ] as const) {
      const x = tf.tidy(() =>
        tf.randomNormal([rows, cols], 0, 2, 'float32', 7).add(tf.linspace(0, 40, rows).reshape([rows, 1])),
      ) as tf.Tensor2D;
      for (const kind of ['layernorm', 'rmsnorm'] as const) {
        const eps = kind === 'layernorm' ? 1e-5 : 1e-6;
        const want = reference(x, kind, eps);
        const before = tf.memory().numTensors;
        const got = normalizeRows(x, kind, eps);
        expect(got).toBeDefined();
        expect(tf.memory().numTensors).toBe(before + 1);
        expect(got!.shape).toEqual([rows, cols]);
        // As close to the float64 truth as the tensor ops are (both carry float32 rounding of the mean of rows
        // offset by up to 40: a few 1e-6), and close to them.
        const truth = exact(x, kind, eps);
        const error = maxDiff(got!.dataSync(), truth);
        const tensorOpError = maxDiff(want.dataSync(), truth);
        expect(error, `${kind} ${rows}x${cols}`).toBeLessThanOrEqual(1.5 * tensorOpError + 1e-6);
        expect(maxDiff(got!.dataSync(), want.dataSync()), `${kind} ${rows}x${cols}`).toBeLessThan(1e-5);
        tf.dispose([got!, want]);
      }
      x.dispose();
    }
  });

  it('declines (undefined) on cpu and under a gradient tape', async () => {
    await setBackendForTests('cpu');
    const x = tf.ones([2, 4]) as tf.Tensor2D;
    expect(normalizeRows(x, 'layernorm', 1e-5)).toBeUndefined();
    x.dispose();
    await setBackendForTests('wasm');
    const y = tf.ones([2, 4]) as tf.Tensor2D;
    const grad = tf.grad((t: tf.Tensor) => {
      expect(normalizeRows(t as tf.Tensor2D, 'rmsnorm', 1e-6)).toBeUndefined();
      return t.sum();
    });
    tf.dispose([grad(y), y]);
  });

  it('applies the weight and bias in the same call', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const x = tf.randomNormal([4, 12], 1, 3, 'float32', 3) as tf.Tensor2D;
    const weight = tf.randomNormal([12], 1, 0.5, 'float32', 4) as tf.Tensor1D;
    const bias = tf.randomNormal([12], 0, 0.5, 'float32', 5) as tf.Tensor1D;
    for (const kind of ['layernorm', 'rmsnorm'] as const) {
      for (const withBias of [true, false]) {
        const want = tf.tidy(() => {
          const scaled = reference(x, kind, 1e-5).mul(weight);
          return withBias ? scaled.add(bias) : scaled;
        });
        const got = normalizeRows(x, kind, 1e-5, { weight, bias: withBias ? bias : undefined })!;
        expect(maxDiff(got.dataSync(), want.dataSync()), `${kind} bias ${withBias}`).toBeLessThan(2e-6);
        tf.dispose([got, want]);
      }
    }
    tf.dispose([x, weight, bias]);
  });
});
