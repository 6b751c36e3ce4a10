import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dpoLoss, ipoLoss, preferenceMargins, weightedMean } from './losses';

// Pairs: h = (pc - rc) - (pr - rr).
//   pair 0: pc -10, pr -12, rc -11, rr -11 -> h = 1 - (-1) = 2
//   pair 1: pc -5,  pr -5,  rc -5,  rr -5  -> h = 0
//   pair 2: pc -20, pr -8,  rc -18, rr -10 -> h = -2 - 2 = -4
const pairs = {
  policyChosen: [-10, -5, -20],
  policyRejected: [-12, -5, -8],
  refChosen: [-11, -5, -18],
  refRejected: [-11, -5, -10],
};
const softplus = (x: number) => Math.log1p(Math.exp(x));

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

describe('preferenceMargins', () => {
  it('computes h per pair', () => {
    expect(values(preferenceMargins(pairs))).toEqual([2, 0, -4]);
  });
  it('rejects vectors of different lengths', () => {
    expect(() => preferenceMargins({ ...pairs, refRejected: [1] })).toThrow(/one length/);
  });
});

describe('dpoLoss', () => {
  it('matches hand-computed values at beta 0.05', () => {
    // -log σ(0.1) = log(1 + e^-0.1) = 0.6443966600; -log σ(0) = ln 2; -log σ(-0.2) = 0.7981388693
    const loss = values(dpoLoss({ ...pairs, beta: 0.05 }));
    expect(loss[0]).toBeCloseTo(0.64439666, 6);
    expect(loss[1]).toBeCloseTo(Math.LN2, 6);
    expect(loss[2]).toBeCloseTo(0.79813887, 6);
  });

  it('defaults to beta 0.05 and no label smoothing', () => {
    expect(values(dpoLoss(pairs))[0]).toBeCloseTo(0.64439666, 6);
  });

  it('applies label smoothing: (1-ε) softplus(-βh) + ε softplus(βh)', () => {
    // βh = 0.1: 0.9 * 0.6443966600 + 0.1 * 0.7443966600 = 0.6543966600
    // βh = -0.2: 0.9 * 0.7981388693 + 0.1 * 0.5981388693 = 0.7781388693
    const loss = values(dpoLoss({ ...pairs, beta: 0.05, labelSmoothing: 0.1 }));
    expect(loss[0]).toBeCloseTo(0.65439666, 6);
    expect(loss[1]).toBeCloseTo(Math.LN2, 6);
    expect(loss[2]).toBeCloseTo(0.77813887, 6);
  });

  it('is stable for huge margins (softplus, no overflow)', () => {
    const loss = values(
      dpoLoss({
        policyChosen: [0, 0],
        policyRejected: [-4000, 4000],
        refChosen: [0, 0],
        refRejected: [0, 0],
        beta: 1,
      }),
    );
    expect(loss[0]).toBeCloseTo(0, 6);
    expect(loss[1]).toBeCloseTo(4000, 2);
    expect(loss.every(Number.isFinite)).toBe(true);
  });

  it('has gradient -β σ(-βh) with respect to log π(y_w), non-zero at h = 0', () => {
    const grad = tf.grad((pc: tf.Tensor) =>
      tf.sum(dpoLoss({ ...pairs, policyChosen: pc as tf.Tensor1D, beta: 0.05 })),
    );
    const g = values(grad(tf.tensor1d(pairs.policyChosen)));
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expect(g[0]).toBeCloseTo(-0.05 * sigmoid(-0.1), 6);
    expect(g[1]).toBeCloseTo(-0.025, 6);
    expect(g[2]).toBeCloseTo(-0.05 * sigmoid(0.2), 6);
  });

  it('validates beta and label smoothing', () => {
    expect(() => dpoLoss({ ...pairs, beta: 0 })).toThrow(/beta/);
    expect(() => dpoLoss({ ...pairs, labelSmoothing: 0.5 })).toThrow(/labelSmoothing/);
  });

  it('leaks no tensors', () => {
    const pc = tf.tensor1d(pairs.policyChosen);
    const before = tf.memory().numTensors;
    values(dpoLoss({ ...pairs, policyChosen: pc, labelSmoothing: 0.2 }));
    values(ipoLoss({ ...pairs, policyChosen: pc }));
    const loss = dpoLoss(pairs);
    values(weightedMean(loss, [1, 0.5, 0.25]));
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
    pc.dispose();
  });
});

describe('ipoLoss', () => {
  it('is (h - 1/(2β))²', () => {
    // β 0.05: target 10 -> (2-10)² = 64, (0-10)² = 100, (-4-10)² = 196
    expect(values(ipoLoss({ ...pairs, beta: 0.05 }))).toEqual([64, 100, 196]);
    // β 0.25: target 2 -> 0, 4, 36
    expect(values(ipoLoss({ ...pairs, beta: 0.25 }))).toEqual([0, 4, 36]);
  });
});

describe('weightedMean', () => {
  it('weights then divides by the pair count (or a given divisor)', () => {
    const losses = tf.tensor1d([1, 2, 4]);
    expect(values(weightedMean(losses))[0]).toBeCloseTo(7 / 3, 6);
    expect(values(weightedMean(losses, [1, 0.5, 0.25]))[0]).toBeCloseTo(3 / 3, 6);
    expect(values(weightedMean(losses, [1, 0.5, 0.25], 6))[0]).toBeCloseTo(0.5, 6);
    expect(() => weightedMean(losses, [1])).toThrow(/weights/);
    losses.dispose();
  });
  it('gives the WPO-weighted DPO loss of a batch', () => {
    // weights min(1, exp(u_w+u_l)) for u sums -1.5, 2, 0 -> e^-1.5, 1, 1
    const loss = dpoLoss(pairs);
    const w = [Math.exp(-1.5), 1, 1];
    const expected = (w[0]! * softplus(-0.1) + Math.LN2 + softplus(0.2)) / 3;
    expect(values(weightedMean(loss, w))[0]).toBeCloseTo(expected, 6);
    loss.dispose();
  });
});
