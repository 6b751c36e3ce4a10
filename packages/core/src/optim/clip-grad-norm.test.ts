import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clipGradNorm } from './clip-grad-norm';

describe('clipGradNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) when the global norm is larger', () => {
    const grads = { a: tf.tensor1d([3]), b: tf.tensor2d([[0, 4]]) };
    const before = tf.memory().numTensors;
    const { grads: out, norm } = clipGradNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(out.a?.dataSync()[0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    expect(Array.from(out.b?.dataSync() ?? [])[1]).toBeCloseTo(4 / (5 + 1e-6), 6);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose(Object.values(out));
    const { grads: same, norm: n2 } = clipGradNorm(grads, 10);
    expect(n2).toBeCloseTo(5, 6);
    expect(same.a?.dataSync()[0]).toBe(3);
    expect(same.a).not.toBe(grads.a);
    const { norm: n3 } = clipGradNorm(grads, Number.POSITIVE_INFINITY);
    expect(n3).toBeCloseTo(5, 6);
    tf.dispose([...Object.values(same)]);
    expect(tf.memory().numTensors).toBe(before + 2); // the Infinity call's copies
    tf.dispose(Object.values(grads));
  });
});
