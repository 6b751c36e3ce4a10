import { fusedGeluErfWithCdf, installWasmFixes, setBackendForTests } from '@ocrm/backend-wasm';
import { restoreBackendAfterAll } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activate, fastErf } from './layers';

restoreBackendAfterAll();

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

describe('the erf GELU on tfjs-wasm', () => {
  // Large enough for fastErf (≥ 2^15 values), with the clip's edges, signed zeros and huge values.
  const values = () =>
    tf.tidy(() =>
      tf
        .randomNormal([40_000], 0, 2.5, 'float32', 3)
        .concat(tf.tensor1d([0, -0, 4 * Math.SQRT2, -4 * Math.SQRT2, 9, -9, 1e-30, 3e38])),
    );

  it('fused training forward: value and Φ(x) bit-identical to the tensor-op chain', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const x = values();
    const cdf = tf.tidy(() => fastErf(x.mul(Math.SQRT1_2)).add(1).mul(0.5));
    const value = x.mul(cdf);
    const fused = fusedGeluErfWithCdf(x);
    expect(fused).toBeDefined();
    expect(Array.from(fused![1].dataSync())).toEqual(Array.from(cdf.dataSync()));
    expect(Array.from(fused![0].dataSync())).toEqual(Array.from(value.dataSync()));
    tf.dispose([x, cdf, value, ...fused!]);
  });

  it('a training step through activate(gelu) gives the gradient of the unfused chain, bit for bit', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const x = values();
    const dy = tf.randomNormal(x.shape, 0, 1, 'float32', 4);
    const grad = (fn: (v: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((v: tf.Tensor) => fn(v).mul(dy).sum())(x)
            .dataSync(),
        ),
      );
    const fusedPath = grad((v) => activate(v, 'gelu'));
    // The fused kernel did run in that training step's forward.
    const kernels = await tf.profile(() => grad((v) => activate(v, 'gelu')));
    expect(kernels.kernelNames).toContain('OcrmGeluErfWithCdf');
    // The same custom gradient with the fused kernel unregistered: the tensor ops compute the forward.
    const config = tf.getKernel('OcrmGeluErfWithCdf', 'wasm')!;
    tf.unregisterKernel('OcrmGeluErfWithCdf', 'wasm');
    let unfused: number[];
    try {
      unfused = grad((v) => activate(v, 'gelu'));
    } finally {
      tf.registerKernel(config);
    }
    expect(fusedPath).toEqual(unfused);
    tf.dispose([x, dy]);
  });
});
