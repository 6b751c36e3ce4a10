import { expectNoLeak } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GRPO_STD_EPSILON, groupAdvantages, whitenAdvantages } from './group-advantages';
import { policyGradientLoss } from './policy-loss';
import { sequenceRewards } from './sequence-rewards';

describe('groupAdvantages (hand-computed)', () => {
  it('rloo: reward minus the mean of the other k − 1 rewards of the prompt', () => {
    expect(Array.from(groupAdvantages([1, 0, 0, 0], 4, 'rloo'))).toEqual([1, -1 / 3, -1 / 3, -1 / 3]);
    expect(Array.from(groupAdvantages([2, 4, 1, 1], 2, 'rloo'))).toEqual([-2, 2, 0, 0]);
  });

  it('grpo: group z-score with Bessel std and the 1e-4 floor; equal rewards give 0', () => {
    // mean 0.25, std √(0.75 / 3) = 0.5.
    const a = groupAdvantages([1, 0, 0, 0], 4, 'grpo');
    expect(a[0]).toBeCloseTo(0.75 / (0.5 + GRPO_STD_EPSILON), 12);
    expect(a[1]).toBeCloseTo(-0.25 / (0.5 + GRPO_STD_EPSILON), 12);
    expect(Array.from(groupAdvantages([3, 3], 2, 'grpo'))).toEqual([0, 0]);
  });

  it('refuses a group size that does not divide the batch', () => {
    expect(() => groupAdvantages([1, 2, 3], 2, 'rloo')).toThrow(/groupSize/);
    expect(() => groupAdvantages([1, 2], 1, 'rloo')).toThrow(/groupSize/);
  });

  it('whitenAdvantages: mean 0, population std 1', () => {
    const w = whitenAdvantages([1, 3]);
    expect(w[0]).toBeCloseTo(-1, 6);
    expect(w[1]).toBeCloseTo(1, 6);
  });
});

describe('sequenceRewards (hand-computed)', () => {
  const base = {
    scores: [2, 5],
    hasEos: [1, 0],
    logpPolicy: [-1, -2, -1, -1],
    logpRef: [-1.5, -2, -1, -3],
    mask: [1, 1, 1, 0],
    klCoef: 0.1,
    missingEosPenalty: -1,
  };

  it('rloo: score − β·Σ(logp − ref) over valid tokens; the penalty replaces a score without EOS', () => {
    const r = sequenceRewards({ ...base, estimator: 'rloo' });
    expect(Array.from(r.kl)).toEqual([0.5, 0]);
    expect(Array.from(r.scores)).toEqual([2, -1]);
    expect(r.rewards[0]).toBeCloseTo(1.95, 12);
    expect(r.rewards[1]).toBe(-1);
  });

  it('grpo: the reward is the score alone; no penalty when it is null', () => {
    const r = sequenceRewards({ ...base, estimator: 'grpo', missingEosPenalty: null });
    expect(Array.from(r.rewards)).toEqual([2, 5]);
  });
});

describe('policyGradientLoss (hand-computed)', () => {
  const inputs = () => ({
    logpNew: tf.tensor2d([
      [-0.9, -1],
      [-2, 0],
    ]),
    logpOld: tf.tensor2d([
      [-1, -1],
      [-2, 0],
    ]),
    logpRef: tf.tensor2d([
      [-1, -1],
      [-2, 0],
    ]),
    mask: tf.tensor2d([
      [1, 1],
      [1, 0],
    ]),
    advantages: tf.tensor1d([1, -1]),
  });
  const read = (l: ReturnType<typeof policyGradientLoss>) => {
    const out = {
      loss: l.loss.dataSync()[0]!,
      clipFrac: l.clipFrac.dataSync()[0]!,
      approxKl: l.approxKl.dataSync()[0]!,
      klTerm: l.klTerm.dataSync()[0]!,
    };
    tf.dispose([l.loss, l.clipFrac, l.approxKl, l.klTerm]);
    return out;
  };

  it('rloo: sequence ratio e^0.1 clipped at 1.05 for A = 1; ratio 1 for A = −1', () => {
    const t = inputs();
    const r = read(policyGradientLoss({ ...t, estimator: 'rloo', clipRange: 0.05, klCoef: 0.1 }));
    expect(r.loss).toBeCloseTo((-1.05 + 1) / 2, 6);
    expect(r.clipFrac).toBe(0.5);
    expect(r.approxKl).toBeCloseTo(0.5 * (0.01 / 2), 6);
    expect(r.klTerm).toBe(0);
    tf.dispose(Object.values(t));
  });

  it('grpo: per-token clipped objective plus β·k3, averaged per row then over rows', () => {
    const t = inputs();
    const r = read(policyGradientLoss({ ...t, estimator: 'grpo', clipRange: 0.2, klCoef: 0.1 }));
    const k3 = Math.exp(-0.1) + 0.1 - 1;
    const row0 = (-Math.exp(0.1) + 0.1 * k3 - 1) / 2;
    expect(r.loss).toBeCloseTo((row0 + 1) / 2, 6);
    expect(r.clipFrac).toBe(0);
    expect(r.approxKl).toBeCloseTo((0.5 * 0.01) / 3, 6);
    expect(r.klTerm).toBeCloseTo(k3 / 3, 6);
    tf.dispose(Object.values(t));
  });

  it('rloo gradient: −A·ρ/n on unclipped rows, 0 on clipped rows and masked tokens', () => {
    const t = inputs();
    const grad = tf.grad(
      (logpNew: tf.Tensor) =>
        policyGradientLoss({
          ...t,
          logpNew: logpNew as tf.Tensor2D,
          estimator: 'rloo',
          clipRange: 0.05,
          klCoef: 0,
        }).loss,
    )(t.logpNew);
    const g = Array.from(grad.dataSync());
    expect(g[0]).toBeCloseTo(0, 7);
    expect(g[1]).toBeCloseTo(0, 7);
    expect(g[2]).toBeCloseTo(0.5, 6);
    expect(g[3]).toBeCloseTo(0, 7);
    tf.dispose([grad, ...Object.values(t)]);
  });

  it('leaks no tensors', async () => {
    const t = inputs();
    await expectNoLeak(() => {
      for (const estimator of ['rloo', 'grpo'] as const) {
        const l = policyGradientLoss({ ...t, estimator, clipRange: 0.2, klCoef: 0.1 });
        tf.dispose([l.loss, l.clipFrac, l.approxKl, l.klTerm]);
      }
    });
    tf.dispose(Object.values(t));
  });
});
