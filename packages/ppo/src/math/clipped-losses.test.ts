import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clippedPolicyLoss } from './clipped-policy-loss';
import { clippedValueLoss } from './clipped-value-loss';

const L15 = Math.log(1.5);
const L05 = Math.log(0.5);
const L11 = Math.log(1.1);

describe('clippedPolicyLoss', () => {
  it('matches hand-computed loss, clip fraction, approx-KL, ratio and gradient', () => {
    const logpOld = tf.tensor2d([[0, 0, 0, 0]]);
    const advantages = tf.tensor2d([[1, -2, 1, 3]]);
    const mask = tf.tensor2d([[1, 1, 1, 0]]);
    const logpNew = tf.tensor2d([[L15, L05, L11, 5]]);
    const before = tf.memory().numTensors;
    const out = clippedPolicyLoss({ logpNew, logpOld, advantages, mask, clipRange: 0.2 });
    // token 0: ρ 1.5, A 1 → max(-1.5, -1.2) = -1.2 (clipped); token 1: ρ 0.5, A -2 → max(1.0, 1.6) = 1.6 (clipped);
    // token 2: ρ 1.1, A 1 → -1.1 (inside the clip); token 3 masked.
    expect(out.loss.dataSync()[0]).toBeCloseTo((-1.2 + 1.6 - 1.1) / 3, 5);
    expect(out.clipfrac.dataSync()[0]).toBeCloseTo(2 / 3, 6);
    expect(out.approxkl.dataSync()[0]).toBeCloseTo((0.5 * (L15 ** 2 + L05 ** 2 + L11 ** 2)) / 3, 5);
    expect(out.ratio.dataSync()[0]).toBeCloseTo((1.5 + 0.5 + 1.1) / 3, 5);
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose(Object.values(out));
    // Gradient flows only through the unclipped, valid token: d/dlogp (-A ρ)/3 = -1.1/3.
    const grad = tf.grad(
      (x: tf.Tensor) => clippedPolicyLoss({ logpNew: x, logpOld, advantages, mask, clipRange: 0.2 }).loss,
    );
    const g = grad(logpNew);
    const gv = g.dataSync();
    expect(gv[0]).toBeCloseTo(0, 6);
    expect(gv[1]).toBeCloseTo(0, 6);
    expect(gv[2]).toBeCloseTo(-1.1 / 3, 5);
    expect(gv[3]).toBeCloseTo(0, 6);
    tf.dispose([g, logpOld, advantages, mask, logpNew]);
  });

  it('gives ratio exactly 1, clip fraction 0 and approx-KL 0 when new equals old', () => {
    const logp = tf.tensor2d([
      [-1.3, -0.2],
      [-2.5, -0.7],
    ]);
    const advantages = tf.tensor2d([
      [0.5, -1],
      [2, 1],
    ]);
    const mask = tf.tensor2d([
      [1, 1],
      [1, 0],
    ]);
    const out = clippedPolicyLoss({ logpNew: logp, logpOld: logp, advantages, mask, clipRange: 0.2 });
    expect(out.ratio.dataSync()[0]).toBe(1);
    expect(out.clipfrac.dataSync()[0]).toBe(0);
    expect(out.approxkl.dataSync()[0]).toBe(0);
    expect(out.loss.dataSync()[0]).toBeCloseTo(-(0.5 - 1 + 2) / 3, 6);
    tf.dispose([...Object.values(out), logp, advantages, mask]);
  });
});

describe('clippedValueLoss', () => {
  it('matches the hand-computed loss with the 0.5 factor, clip fraction and gradient', () => {
    const values = tf.tensor2d([[1, 0.1, 9]]);
    const valuesOld = tf.tensor2d([[0, 0, 0]]);
    const returns = tf.tensor2d([[2, 0.5, 0]]);
    const mask = tf.tensor2d([[1, 1, 0]]);
    const before = tf.memory().numTensors;
    const out = clippedValueLoss({ values, valuesOld, returns, mask, clipRangeValue: 0.2 });
    // pos 0: (1-2)² = 1 vs (0.2-2)² = 3.24 → 3.24 (clipped); pos 1: (0.1-0.5)² = 0.16 both; pos 2 masked.
    expect(out.loss.dataSync()[0]).toBeCloseTo((0.5 * (3.24 + 0.16)) / 2, 5);
    expect(out.clipfrac.dataSync()[0]).toBeCloseTo(0.5, 6);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose(Object.values(out));
    const g = tf.grad(
      (v: tf.Tensor) => clippedValueLoss({ values: v, valuesOld, returns, mask, clipRangeValue: 0.2 }).loss,
    )(values);
    const gv = g.dataSync();
    // pos 0 sits outside the clip (no gradient through the clipped term); pos 1: 0.5·2·(0.1-0.5)/2 = -0.2.
    expect(gv[0]).toBeCloseTo(0, 6);
    expect(gv[1]).toBeCloseTo(-0.2, 5);
    expect(gv[2]).toBeCloseTo(0, 6);
    tf.dispose([g, values, valuesOld, returns, mask]);
  });
});
