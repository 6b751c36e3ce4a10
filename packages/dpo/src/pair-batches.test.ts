import { pairTokenBatch } from '@ocrm/core';
import { createTinyPolicy, makePair } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { pairLogProbSums, splitPairSums } from './pair-batches';

const EOS = 1;
const PAD = 0;
const pairs = [makePair('a', [5, 6], [7, EOS], [8, 9, EOS]), makePair('b', [4], [2, 3, EOS, 3], [9])];

describe('splitPairSums', () => {
  it('sums each row and splits chosen / rejected', () => {
    const lp = tf.tensor2d([
      [-1, -2],
      [-0.5, 0],
      [-3, -1],
      [-2, -2],
    ]);
    const { chosen, rejected } = splitPairSums(lp);
    expect(Array.from(chosen.dataSync())).toEqual([-3, -0.5]);
    expect(Array.from(rejected.dataSync())).toEqual([-4, -4]);
    tf.dispose([lp, chosen, rejected]);
  });
});

describe('pairLogProbSums', () => {
  it('matches the per-pair sums of one full batch, in any micro-batching, without leaks', () => {
    const policy = createTinyPolicy({ seed: 3, eosId: EOS, padId: PAD });
    const full = tf.tidy(() => {
      const { chosen, rejected } = splitPairSums(
        policy.logProbs(pairTokenBatch(pairs, { padId: PAD, eosId: EOS }), { temperature: 1 }).logProbs,
      );
      return [Array.from(chosen.dataSync()), Array.from(rejected.dataSync())];
    });
    const before = tf.memory().numTensors;
    const one = pairLogProbSums(policy, pairs, { microBatchSize: 1 });
    const two = pairLogProbSums(policy, pairs, { microBatchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 2; i++) {
      expect(one.chosen[i]).toBeCloseTo(full[0]![i]!, 5);
      expect(one.rejected[i]).toBeCloseTo(full[1]![i]!, 5);
      expect(two.chosen[i]).toBeCloseTo(full[0]![i]!, 5);
      expect(two.rejected[i]).toBeCloseTo(full[1]![i]!, 5);
    }
    expect(one.chosen[0]).toBeLessThan(0);
    policy.dispose();
  });
});
