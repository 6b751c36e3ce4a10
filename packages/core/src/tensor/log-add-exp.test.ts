import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { logAddExp, logAddExpTensor } from './log-add-exp';

describe('logAddExp', () => {
  it('matches log(exp(a) + exp(b)) and stays finite at extremes', () => {
    expect(logAddExp(0, 0)).toBeCloseTo(Math.LN2, 12);
    expect(logAddExp(Math.log(0.25), Math.log(0.5))).toBeCloseTo(Math.log(0.75), 12);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 9);
    expect(logAddExp(-1000, -1000)).toBeCloseTo(-1000 + Math.LN2, 9);
    expect(logAddExp(-1000, 0)).toBe(0);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(logAddExp(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('logAddExpTensor', () => {
  it('agrees with the number version, broadcasting', () => {
    const a = tf.tensor1d([0, Math.log(0.25), 80, -80, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const b = tf.tensor1d([0, Math.log(0.5), 80, -80, 3, Number.NEGATIVE_INFINITY]);
    const before = tf.memory().numTensors;
    const out = logAddExpTensor(a, b);
    expect(tf.memory().numTensors).toBe(before + 1);
    const got = Array.from(out.dataSync());
    const aa = a.dataSync();
    const bb = b.dataSync();
    got.forEach((v, i) => {
      const want = logAddExp(aa[i] as number, bb[i] as number);
      if (Number.isFinite(want)) expect(v).toBeCloseTo(want, 4);
      else expect(v).toBe(want);
    });
    const broadcast = logAddExpTensor(tf.tensor1d([0, 1]), tf.scalar(0));
    expect(broadcast.dataSync()[1]).toBeCloseTo(logAddExp(1, 0), 5);
    tf.dispose([a, b, out, broadcast]);
  });

  it('has the softmax as gradient, also at a = b', () => {
    tf.tidy(() => {
      const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => logAddExpTensor(a, b))([
        tf.tensor1d([0, Math.log(3)]),
        tf.tensor1d([0, 0]),
      ]);
      const da = Array.from((ga as tf.Tensor).dataSync());
      const db = Array.from((gb as tf.Tensor).dataSync());
      expect(da[0]).toBeCloseTo(0.5, 6);
      expect(db[0]).toBeCloseTo(0.5, 6);
      expect(da[1]).toBeCloseTo(0.75, 6);
      expect(db[1]).toBeCloseTo(0.25, 6);
    });
  });
});
