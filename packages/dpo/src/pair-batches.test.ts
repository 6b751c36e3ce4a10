import type { PreferencePair } from '@ocrm/core';
import { createTinyPolicy } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildPairBatch, pairLogProbSums, splitPairSums, throughFirstEos } from './pair-batches';

const EOS = 1;
const PAD = 0;
function pair(id: string, promptIds: number[], chosenIds: number[], rejectedIds: number[]): PreferencePair {
  return { id, prompt: '', chosen: '', rejected: '', promptIds, chosenIds, rejectedIds };
}
const pairs = [pair('a', [5, 6], [7, EOS], [8, 9, EOS]), pair('b', [4], [2, 3, EOS, 3], [9])];

describe('buildPairBatch', () => {
  it('stacks chosen rows then rejected rows, cut after the first EOS', () => {
    const batch = buildPairBatch(pairs, { eosId: EOS, padId: PAD });
    expect(batch.batchSize).toBe(4);
    expect(batch.promptLength).toBe(2);
    expect(batch.seqLength).toBe(5);
    expect(Array.from(batch.ids)).toEqual([
      5,
      6,
      7,
      EOS,
      PAD,
      PAD,
      4,
      2,
      3,
      EOS,
      5,
      6,
      8,
      9,
      EOS,
      PAD,
      4,
      9,
      PAD,
      PAD,
    ]);
    expect(Array.from(batch.mask)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0]);
  });
  it('cuts at the first EOS and rejects empty responses', () => {
    expect(throughFirstEos([3, EOS, 4, EOS], EOS)).toEqual([3, EOS]);
    expect(throughFirstEos([3, 4], EOS)).toEqual([3, 4]);
    expect(() => buildPairBatch([pair('c', [1], [], [2])], { eosId: EOS, padId: PAD })).toThrow(
      /empty response/,
    );
  });
});

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
        policy.logProbs(buildPairBatch(pairs, policy), { temperature: 1 }).logProbs,
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
