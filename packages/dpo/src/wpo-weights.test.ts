import type { TokenBatch } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { wpoLogWeights, wpoResponseScores, wpoWeights } from './wpo-weights';

describe('wpoWeights', () => {
  it('is min(1, exp(u_w + u_l)), clamped at 1', () => {
    const w = wpoWeights({ uChosen: [-1, 2, 0.3, -400], uRejected: [-0.5, 1, -0.3, -400] });
    expect(w[0]).toBeCloseTo(Math.exp(-1.5), 12); // 0.2231301601
    expect(w[1]).toBe(1); // exp(3) clamped
    expect(w[2]).toBe(1); // exp(0)
    expect(w[3]).toBe(0); // exp(-800) underflows to 0, no NaN
  });
  it('log-weights never exceed 0 and never overflow', () => {
    expect(Array.from(wpoLogWeights({ uChosen: [1e308, -2], uRejected: [1e308, -3] }))).toEqual([0, -5]);
  });
  it('validates lengths and NaN', () => {
    expect(() => wpoWeights({ uChosen: [1], uRejected: [] })).toThrow(/uRejected/);
    expect(() => wpoWeights({ uChosen: [Number.NaN], uRejected: [0] })).toThrow(/NaN/);
  });
});

describe('wpoResponseScores', () => {
  // 2 rows, prompt length 1, 3 response positions; row 0 has 2 valid response tokens, row 1 has 3.
  const batch: TokenBatch = {
    ids: new Int32Array([5, 1, 2, 0, 6, 3, 4, 2]),
    mask: new Uint8Array([1, 1, 1, 0, 1, 1, 1, 1]),
    batchSize: 2,
    seqLength: 4,
    promptLength: 1,
  };
  it('averages log π(y_t) - log Σ π(v)² over valid tokens', () => {
    const stats = {
      logProbs: tf.tensor2d([
        [-1, -2, 0],
        [-0.5, -1.5, -3],
      ]),
      logSumSquares: tf.tensor2d([
        [-1.5, -1, 0],
        [-1, -1, -1],
      ]),
    };
    const before = tf.memory().numTensors;
    const u = wpoResponseScores(stats, batch);
    expect(tf.memory().numTensors).toBe(before);
    // row 0: ((-1+1.5) + (-2+1)) / 2 = -0.25; row 1: (0.5 - 0.5 - 2) / 3 = -2/3
    expect(u[0]).toBeCloseTo(-0.25, 6);
    expect(u[1]).toBeCloseTo(-2 / 3, 6);
    expect(wpoWeights({ uChosen: [u[0]!], uRejected: [u[1]!] })[0]).toBeCloseTo(Math.exp(-0.25 - 2 / 3), 6);
    tf.dispose([stats.logProbs, stats.logSumSquares]);
  });
  it('checks the shapes', () => {
    const bad = { logProbs: tf.zeros([2, 2]) as tf.Tensor2D, logSumSquares: tf.zeros([2, 3]) as tf.Tensor2D };
    expect(() => wpoResponseScores(bad, batch)).toThrow(/shape/);
    tf.dispose([bad.logProbs, bad.logSumSquares]);
  });
});
