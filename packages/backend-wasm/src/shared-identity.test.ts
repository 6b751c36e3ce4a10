import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setBackendForTests } from './init-backend';
import {
  expectNoBufferLeak,
  restoreBackendAndFixes,
  seeded,
  stockAndFixed,
} from './test-support/kernel-test-helpers';
import { installWasmFixes } from './wasm-fixes';

restoreBackendAndFixes();

describe('zero-copy Identity on wasm', () => {
  it('shares the buffer: a clone adds no buffer, outlives its source, and both free it', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    const x = seeded([3, 5], 1);
    const values = Array.from(x.dataSync());
    const y = tf.clone(x);
    expect(buffers()).toBe(before + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(values);
    expect(buffers()).toBe(before + 1);
    y.dispose();
    expect(buffers()).toBe(before);
  });

  it('gives the gradients of the stock (copying) kernel, bit for bit', async () => {
    const w = seeded([6, 4], 2);
    const x = seeded([5, 6], 3);
    const b = seeded([4], 4);
    // Saved inputs and outputs of matMul, add, tanh, exp, square: every one goes through Identity.
    const loss = (wv: tf.Tensor, bv: tf.Tensor) =>
      tf
        .tanh(tf.add(tf.matMul(x, wv), bv))
        .exp()
        .square()
        .mean() as tf.Scalar;
    const [stock, fixed] = await stockAndFixed(() => {
      const { value, grads } = tf.valueAndGrads(loss)([w, b]);
      return [value, ...grads];
    });
    expect(fixed).toEqual(stock);
    tf.dispose([w, x, b]);
  });

  it('leaks no tensor and no buffer through a training step', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const v = tf.variable(seeded([8, 3], 5));
    const x = seeded([4, 8], 6);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sigmoid(tf.matMul(x, v)).sum() as tf.Scalar, [v]);
      const next = tf.tidy(() => v.sub(grads[v.name]!.mul(0.1)));
      v.assign(next);
      tf.dispose([next, value, ...Object.values(grads)]);
    };
    step();
    expectNoBufferLeak(step);
    tf.dispose([v, x]);
  });

  it('leaves string tensors to the stock kernel', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const s = tf.tensor(['a', 'bc']);
    const c = tf.clone(s);
    expect(await c.array()).toEqual(['a', 'bc']);
    tf.dispose([s, c]);
  });
});
