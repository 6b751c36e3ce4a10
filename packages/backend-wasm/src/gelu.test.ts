import { restoreBackendAfterAll } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedGelu, fusedGeluErfWithCdf } from './gelu';
import { setBackendForTests } from './init-backend';
import { installWasmFixes } from './wasm-fixes';

restoreBackendAfterAll();

/** erf in float64: its Taylor series for |z| < 2.5, else 1 - erfc(|z|) by erfc's continued fraction. */
function erf64(z: number): number {
  if (Math.abs(z) < 2.5) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 100; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  const a = Math.abs(z);
  let fraction = a;
  for (let n = 80; n >= 1; n--) fraction = a + n / 2 / fraction;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / fraction;
  return Math.sign(z) * (1 - erfc);
}

/** GELU in float64: the erf form or the tanh form. */
function exact(x: number, kind: 'gelu' | 'gelu_new'): number {
  if (kind === 'gelu_new') return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  return 0.5 * x * (1 + erf64(x / Math.SQRT2));
}

describe('fusedGelu (wasm)', () => {
  it('matches float64 GELU (erf and tanh forms) to float32 precision, any shape, saturating tails', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const values = Float32Array.from({ length: 301 }, (_, i) => -7.5 + i * 0.05);
    const x = tf.tensor3d(values, [7, 43, 1]);
    for (const kind of ['gelu', 'gelu_new'] as const) {
      const before = tf.memory().numTensors;
      const got = fusedGelu(x, kind);
      expect(got).toBeDefined();
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(got!.shape).toEqual([7, 43, 1]);
      const out = got!.dataSync();
      let worst = 0;
      values.forEach((v, i) => {
        worst = Math.max(worst, Math.abs((out[i] as number) - exact(v, kind)));
      });
      expect(worst, kind).toBeLessThan(1e-6);
      got!.dispose();
    }
    x.dispose();
  });

  it('declines (undefined) on cpu and under a gradient tape', async () => {
    await setBackendForTests('cpu');
    const x = tf.ones([3]);
    expect(fusedGelu(x, 'gelu')).toBeUndefined();
    x.dispose();
    await setBackendForTests('wasm');
    const y = tf.ones([3]);
    const grad = tf.grad((t: tf.Tensor) => {
      expect(fusedGelu(t, 'gelu_new')).toBeUndefined();
      return t.sum();
    });
    tf.dispose([grad(y), y]);
  });
});

describe('fusedGeluErfWithCdf (wasm)', () => {
  it('returns [x·Φ(x), Φ(x)] close to float64, leaks nothing, and is undefined under a tape or on cpu', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const values = Float32Array.from({ length: 301 }, (_, i) => -7.5 + i * 0.05);
    const x = tf.tensor1d(values);
    const before = tf.memory().numTensors;
    const [value, cdf] = fusedGeluErfWithCdf(x)!;
    expect(tf.memory().numTensors).toBe(before + 2);
    const v = value.dataSync();
    const c = cdf.dataSync();
    values.forEach((z, i) => {
      expect(Math.abs((v[i] as number) - exact(z, 'gelu'))).toBeLessThan(2e-6 * Math.max(1, Math.abs(z)));
      expect(
        Math.abs((c[i] as number) - exact(z, 'gelu') / (z === 0 ? 1 : z) - (z === 0 ? 0.5 : 0)),
      ).toBeLessThan(1e-6);
    });
    tf.dispose([value, cdf]);
    let taped: unknown;
    tf.grad((t: tf.Tensor) => {
      taped = fusedGeluErfWithCdf(t);
      return t.sum();
    })(x).dispose();
    expect(taped).toBeUndefined();
    x.dispose();
    await setBackendForTests('cpu');
    const y = tf.ones([4]);
    expect(fusedGeluErfWithCdf(y)).toBeUndefined();
    y.dispose();
  });
});
