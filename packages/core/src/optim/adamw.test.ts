import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArgumentError, ShapeError } from '../errors';
import { AdamW, DEFAULT_ADAMW_CONFIG, resolveAdamWConfig } from './adamw';

/** PyTorch torch.optim.AdamW, one scalar parameter, in float64. */
function torchAdamW(
  p0: number,
  grads: number[],
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
) {
  let p = p0;
  let m = 0;
  let v = 0;
  grads.forEach((g, i) => {
    const t = i + 1;
    p *= 1 - lr * wd;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps;
    p -= (lr / (1 - b1 ** t)) * (m / denom);
  });
  return p;
}

describe('AdamW', () => {
  it('defaults: β₁ 0.9, β₂ 0.999, ε 1e-5, weight decay 0.01, lr 1e-4', () => {
    expect(DEFAULT_ADAMW_CONFIG).toEqual({
      learningRate: 1e-4,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-5,
      weightDecay: 0.01,
    });
    expect(() => resolveAdamWConfig({ beta1: 1 })).toThrow(ConfigError);
    expect(() => resolveAdamWConfig({ epsilon: 0 })).toThrow(/adamw\.epsilon/);
  });

  it('matches a hand-computed 2-step PyTorch AdamW update', () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW({ learningRate: 0.1 });
    const g1 = tf.tensor1d([0.5, -1]);
    const g2 = tf.tensor1d([-0.25, 2]);
    opt.step({ p }, { p: g1 });
    // step 1: m̂ = g, √v̂ = |g|: p ← p·(1 − 0.1·0.01) − 0.1·g / (|g| + 1e-5)
    const after1 = p.dataSync();
    expect(after1[0]).toBeCloseTo(0.999 - 0.05 / 0.50001, 6); // 0.89900200
    expect(after1[1]).toBeCloseTo(-1.998 + 0.1 / 1.00001, 6); // -1.89800100
    opt.step({ p }, { p: g2 });
    const after2 = p.dataSync();
    expect(after2[0]).toBeCloseTo(torchAdamW(1, [0.5, -0.25], 0.1, 0.9, 0.999, 1e-5, 0.01), 5);
    expect(after2[1]).toBeCloseTo(torchAdamW(-2, [-1, 2], 0.1, 0.9, 0.999, 1e-5, 0.01), 5);
    // step 2 by hand for the first entry: m = 0.9·0.05 − 0.025 = 0.02, v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225
    const m = 0.02;
    const v = 0.00031225;
    const expected =
      0.899001999960001 * 0.999 - (0.1 / 0.19) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-5));
    expect(after2[0]).toBeCloseTo(expected, 5);
    expect(opt.stepCount).toBe(2);
    tf.dispose([p, g1, g2]);
    opt.dispose();
  });

  it('uses the learning rate given to step and skips variables without gradients', () => {
    const a = tf.variable(tf.scalar(1));
    const b = tf.variable(tf.scalar(1));
    const g = tf.scalar(2);
    const opt = new AdamW({ weightDecay: 0 });
    opt.step({ a, b }, { a: g }, 0.5);
    expect(a.dataSync()[0]).toBeCloseTo(1 - 0.5 * (2 / (2 + 1e-5)), 6);
    expect(b.dataSync()[0]).toBe(1);
    expect(Object.keys(opt.getState().moments)).toEqual(['a']);
    expect(() => opt.step({ a }, { c: g })).toThrow(InvalidArgumentError);
    expect(() => opt.step({ a }, { a: tf.ones([2]) })).toThrow(ShapeError);
    tf.dispose([a, b, g]);
    opt.dispose();
  });

  it('getState / setState round-trip gives identical continuations', () => {
    const init = [0.3, -0.7, 1.1];
    const grads = [
      [0.1, 0.2, -0.3],
      [-0.5, 0.4, 0.05],
      [0.2, -0.1, 0.3],
    ];
    const p1 = tf.variable(tf.tensor1d(init));
    const opt1 = new AdamW({ learningRate: 0.01 });
    for (const g of grads) tf.tidy(() => opt1.step({ p: p1 }, { p: tf.tensor1d(g) }));

    const p2 = tf.variable(tf.tensor1d(init));
    const opt2 = new AdamW({ learningRate: 0.01 });
    tf.tidy(() => opt2.step({ p: p2 }, { p: tf.tensor1d(grads[0] as number[]) }));
    const state = opt2.getState();
    expect(state.step).toBe(1);
    expect(state.moments.p?.step).toBe(1);
    const opt3 = new AdamW({ learningRate: 0.01 });
    opt3.setState(state);
    for (const g of grads.slice(1)) tf.tidy(() => opt3.step({ p: p2 }, { p: tf.tensor1d(g) }));
    expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
    expect(opt3.stepCount).toBe(3);
    tf.dispose([p1, p2]);
    for (const o of [opt1, opt2, opt3]) o.dispose();
  });

  it('leaks nothing: two moment tensors per variable, constant over steps', () => {
    const p = tf.variable(tf.zeros([3, 2]));
    const q = tf.variable(tf.zeros([4]));
    const gp = tf.ones([3, 2]);
    const gq = tf.ones([4]);
    const opt = new AdamW();
    const before = tf.memory().numTensors;
    opt.step({ p, q }, { p: gp, q: gq });
    expect(tf.memory().numTensors).toBe(before + 4);
    for (let i = 0; i < 3; i++) opt.step({ p, q }, { p: gp, q: gq });
    expect(tf.memory().numTensors).toBe(before + 4);
    opt.setState(opt.getState());
    expect(tf.memory().numTensors).toBe(before + 4);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, q, gp, gq]);
  });
  it('rounds every operation to float32 in PyTorch order, per variable step count (bit for bit)', () => {
    // The update emulated in JS with Math.fround after each tensor op: what the float32 kernels compute.
    const f = Math.fround;
    const lrs = [1e-2, 7e-3, 3e-3];
    const { beta1: b1, beta2: b2, epsilon: eps } = DEFAULT_ADAMW_CONFIG;
    const wd = 0.05;
    const expected = (p0: number[], gs: number[][], from: number) => {
      const p = p0.map(f);
      const m = p.map(() => 0);
      const v = p.map(() => 0);
      gs.forEach((g, k) => {
        const lr = lrs[from + k] as number;
        const t = k + 1;
        const stepSize = f(lr / (1 - b1 ** t));
        const bc2 = f(Math.sqrt(1 - b2 ** t));
        p.forEach((_, i) => {
          const gi = f(g[i] as number);
          m[i] = f(f((m[i] as number) * f(b1)) + f(gi * f(1 - b1)));
          v[i] = f(f((v[i] as number) * f(b2)) + f(f(gi * gi) * f(1 - b2)));
          const decayed = f((p[i] as number) * f(1 - lr * wd));
          const denom = f(f(f(Math.sqrt(v[i] as number)) / bc2) + f(eps));
          p[i] = f(decayed - f(f((m[i] as number) / denom) * stepSize));
        });
      });
      return p;
    };
    const a0 = [0.3, -1.7, 2.5e-3];
    const b0 = [4.1, -0.02];
    const ga = [
      [0.11, -3.2, 7e-4],
      [-0.5, 0.25, 1.5],
      [2.0, -1e-3, 0.3],
    ];
    const gb = [
      [1.3, -0.7],
      [-2.2, 0.04],
    ];
    const a = tf.variable(tf.tensor1d(a0));
    const b = tf.variable(tf.tensor1d(b0));
    const opt = new AdamW({ weightDecay: wd });
    // `b` joins at the second step: in that step the two variables are at t = 2 and t = 1.
    tf.tidy(() => opt.step({ a }, { a: tf.tensor1d(ga[0] as number[]) }, lrs[0]));
    for (const k of [1, 2]) {
      tf.tidy(() =>
        opt.step(
          { a, b },
          { a: tf.tensor1d(ga[k] as number[]), b: tf.tensor1d(gb[k - 1] as number[]) },
          lrs[k],
        ),
      );
    }
    expect(Array.from(a.dataSync())).toEqual(expected(a0, ga, 0));
    expect(Array.from(b.dataSync())).toEqual(expected(b0, gb, 1));
    opt.dispose();
    tf.dispose([a, b]);
  });
});
