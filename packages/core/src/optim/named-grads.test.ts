import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { namedGrads } from './named-grads';

describe('namedGrads', () => {
  it('keys the value and gradients by the given names (hand-computed)', () => {
    const variables = {
      'layer/w': tf.variable(tf.tensor1d([1, 2]), true, 'internal_w'),
      'layer/b': tf.variable(tf.scalar(5), true, 'internal_b'),
    };
    const before = tf.memory().numTensors;
    // loss = Σ w² + 3b = 1 + 4 + 15 = 20; ∂/∂w = 2w = [2, 4]; ∂/∂b = 3
    const { value, grads } = namedGrads(variables, () =>
      tf.add(tf.sum(tf.square(variables['layer/w'])), tf.mul(3, variables['layer/b'])),
    );
    expect(value.dataSync()[0]).toBe(20);
    expect(Object.keys(grads).sort()).toEqual(['layer/b', 'layer/w']);
    expect(Array.from(grads['layer/w']!.dataSync())).toEqual([2, 4]);
    expect(grads['layer/b']!.dataSync()[0]).toBe(3);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(variables));
  });
});
