import type { PreferencePair } from '@ocrm/core';
import { expectNoLeak, MockPolicy } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { onPolicyRewardModelAccuracy, rewardModelAccuracy } from './reward-model-accuracy';
import { letterJudge, sumRewardModel } from './test-support/fixtures';

const pair = (
  id: string,
  chosenIds: number[],
  rejectedIds: number[],
  goldChosen: number,
  goldRejected: number,
) =>
  ({
    id,
    prompt: 'p',
    chosen: '',
    rejected: '',
    promptIds: [2, 3],
    chosenIds,
    rejectedIds,
    goldChosen,
    goldRejected,
  }) satisfies PreferencePair;

// RM score = sum of response ids. RM diffs [3, -2, (tie), 3], gold diffs [1, 1, 0, 3].
const pairs: PreferencePair[] = [
  pair('right', [5, 1], [2, 1], 1, 0),
  pair('wrong', [2, 1], [4, 1], 2, 1),
  pair('tie', [6, 1], [2, 1], 1, 1),
  pair('right-2', [7, 1], [2, 2, 1], 3, 0),
];

describe('rewardModelAccuracy', () => {
  it('accuracy without ties and Spearman correlation with gold (hand-computed)', async () => {
    const result = await expectNoLeak(() =>
      rewardModelAccuracy(sumRewardModel(), pairs, { microBatchSize: 2 }),
    );
    // Spearman: ranks RM [2.5, 1, 2.5], gold [1.5, 1.5, 3] → 0.75 / 1.5.
    expect(result).toEqual({ n: 3, ties: 1, accuracy: 2 / 3, spearman: 0.5, meanMargin: 4 / 3 });
  });

  it('refuses unlabelled pairs', async () => {
    const { goldChosen: _, ...unlabelled } = pairs[0]!;
    await expect(rewardModelAccuracy(sumRewardModel(), [unlabelled])).rejects.toThrow(/gold/);
  });
});

describe('onPolicyRewardModelAccuracy', () => {
  it('samples from the given policy at the rollout temperature, labels with the judge, scores the RM', async () => {
    const policy = new MockPolicy({ vocabSize: 8 });
    const judge = letterJudge();
    const seen: unknown[] = [];
    const result = await onPolicyRewardModelAccuracy({
      policy,
      rm: sumRewardModel(),
      prompts: [{ id: 'a', prompt: 'p' }],
      judge,
      maxNewTokens: 4,
      seed: 9,
      samplePairs: async (p, prompts, options) => {
        seen.push(p === policy, prompts.length, options);
        return pairs.map((x) => ({ ...x, goldChosen: undefined, goldRejected: undefined }));
      },
      labelPairs: async (unlabelled, j) => {
        seen.push(j === judge, unlabelled.length);
        return pairs;
      },
    });
    expect(seen).toEqual([
      true,
      1,
      { temperature: 0.7, maxNewTokens: 4, seed: 9, signal: undefined },
      true,
      4,
    ]);
    expect(result.accuracy).toBeCloseTo(2 / 3, 12);
  });
});
