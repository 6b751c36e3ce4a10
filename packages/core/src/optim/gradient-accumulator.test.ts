import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../errors';
import { GradientAccumulator } from './gradient-accumulator';

describe('GradientAccumulator', () => {
  it('returns the weighted average and resets', () => {
    const acc = new GradientAccumulator();
    const g1 = { w: tf.tensor1d([1, 2]), b: tf.scalar(4) };
    const g2 = { w: tf.tensor1d([3, 6]), b: tf.scalar(0) };
    const before = tf.memory().numTensors;
    acc.add(g1, 1);
    acc.add(g2, 3);
    expect(acc.size).toBe(2);
    const avg = acc.take();
    // w: (1·[1,2] + 3·[3,6]) / 4 = [2.5, 5]; b: (4 + 0) / 4 = 1
    expect(Array.from(avg.w?.dataSync() ?? [])).toEqual([2.5, 5]);
    expect(avg.b?.dataSync()[0]).toBe(1);
    expect(acc.size).toBe(0);
    tf.dispose(Object.values(avg));
    expect(tf.memory().numTensors).toBe(before);
    expect(g1.w.isDisposed).toBe(false);
    tf.dispose([...Object.values(g1), ...Object.values(g2)]);
  });

  it('single micro-batch of weight 1 is a copy', () => {
    const acc = new GradientAccumulator();
    const g = tf.tensor1d([1, 2]);
    acc.add({ g });
    const out = acc.take();
    expect(out.g).not.toBe(g);
    expect(Array.from(out.g?.dataSync() ?? [])).toEqual([1, 2]);
    tf.dispose([g, out.g as tf.Tensor]);
  });

  it('errors on take() without gradients and on shape changes; dispose frees sums', () => {
    const acc = new GradientAccumulator();
    expect(() => acc.take()).toThrow(InvalidArgumentError);
    const a = tf.ones([2]);
    const before = tf.memory().numTensors;
    acc.add({ a }, 0.5);
    expect(() => acc.add({ a: tf.ones([3]) })).toThrow(ShapeError);
    acc.dispose();
    expect(tf.memory().numTensors).toBe(before + 1); // the ones([3]) made in the assertion
    a.dispose();
  });
});
