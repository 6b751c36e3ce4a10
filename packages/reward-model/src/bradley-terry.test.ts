import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { bradleyTerryLoss, pairStats, pairWeights } from './bradley-terry';

// Pairs with margins d = r_c - r_r = [1, -1, 0]; per pair softplus(-d) = [0.3132617, 1.3132617, 0.6931472].
const rc = [2, 0, -1];
const rr = [1, 1, -1];

function lossOf(logWeights?: number[], normalize?: 'none' | 'batch'): number {
  const chosen = tf.tensor1d(rc);
  const rejected = tf.tensor1d(rr);
  const value = bradleyTerryLoss(chosen, rejected, logWeights, { normalize });
  const loss = value.dataSync()[0]!;
  tf.dispose([chosen, rejected, value]);
  return loss;
}

function gradChosen(logWeights?: number[], normalize?: 'none' | 'batch'): Float32Array {
  const rejected = tf.tensor1d(rr);
  const g = tf.grad((c: tf.Tensor) =>
    bradleyTerryLoss(c as tf.Tensor1D, rejected, logWeights, { normalize }),
  );
  const chosen = tf.tensor1d(rc);
  const out = g(chosen);
  const data = out.dataSync() as Float32Array;
  tf.dispose([rejected, chosen, out]);
  return data;
}

describe('bradleyTerryLoss', () => {
  it('equals the hand-computed unweighted mean of -log sigmoid(margin)', () => {
    expect(lossOf()).toBeCloseTo(0.7732235, 5);
  });

  it('weights pairs by exp(logWeight)', () => {
    expect(lossOf([Math.log(2), 0, Math.log(0.5)], 'none')).toBeCloseTo(0.7621196, 5);
  });

  it("normalises a batch's weights to mean 1", () => {
    // weights [2, 1, 0.5] → [12/7, 6/7, 3/7]
    expect(lossOf([Math.log(2), 0, Math.log(0.5)], 'batch')).toBeCloseTo(0.6532453, 5);
  });

  it('has the hand-computed gradient -w σ(-d) / N', () => {
    const g = gradChosen([Math.log(2), 0, Math.log(0.5)], 'none');
    expect(g[0]).toBeCloseTo(-0.1792943, 5);
    expect(g[1]).toBeCloseTo(-0.2436862, 5);
    expect(g[2]).toBeCloseTo(-0.0833333, 5);
  });

  it('a weight of 0 (log-weight -Infinity) removes the pair and its gradient', () => {
    for (const normalize of ['none', 'batch'] as const) {
      const g = gradChosen([0, Number.NEGATIVE_INFINITY, 0], normalize);
      expect(g[1] === 0).toBe(true); // ±0
      expect(g[0]).not.toBe(0);
    }
    // unnormalised: (0.3132617 + 0 + 0.6931472) / 3
    expect(lossOf([0, Number.NEGATIVE_INFINITY, 0], 'none')).toBeCloseTo(0.3354696, 5);
  });

  it('a huge log-weight gives no NaN when normalised (that pair takes the whole mass)', () => {
    const loss = lossOf([1000, 0, -1000], 'batch');
    // w = [3, 0, 0]: loss = 3 · 0.3132617 / 3
    expect(loss).toBeCloseTo(0.3132617, 5);
    const g = gradChosen([1000, 0, -1000], 'batch');
    for (const x of g) expect(Number.isFinite(x)).toBe(true);
    expect(g[0]).toBeCloseTo(-1 / (1 + Math.E), 5);
  });

  it('rejects an unnormalised log-weight that overflows float32', () => {
    const c = tf.tensor1d([1]);
    expect(() => bradleyTerryLoss(c, c, [1000])).toThrow(/overflows/);
    c.dispose();
  });

  it('is stable for huge margins', () => {
    const c = tf.tensor1d([1e4, -1e4]);
    const r = tf.tensor1d([0, 0]);
    const loss = bradleyTerryLoss(c, r);
    expect(loss.dataSync()[0]).toBeCloseTo(1e4 / 2, 1);
    tf.dispose([c, r, loss]);
  });

  it('does not leak tensors', () => {
    const c = tf.tensor1d(rc);
    const r = tf.tensor1d(rr);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((x: tf.Tensor) => bradleyTerryLoss(x as tf.Tensor1D, r, [0, 1, 2], { normalize: 'batch' }))(c);
    });
    bradleyTerryLoss(c, r).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([c, r]);
  });
});

describe('pairWeights', () => {
  it('gives zeros when every weight is 0', () => {
    expect(Array.from(pairWeights([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY], 2, 'batch'))).toEqual(
      [0, 0],
    );
  });
  it('rejects NaN', () => {
    expect(() => pairWeights([Number.NaN], 1)).toThrow(/NaN/);
  });
});

describe('pairStats', () => {
  it('computes loss, margin and accuracy with ties excluded', () => {
    const s = pairStats(rc, rr, [false, false, true]);
    expect(s.loss).toBeCloseTo(0.7732235, 6);
    expect(s.accuracy).toBe(0.5);
    expect(s.counted).toBe(2);
    expect(s.margin).toBeCloseTo(0, 9);
  });
});
