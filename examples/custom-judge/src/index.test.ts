import { describeGoldJudgeContract, MockGoldJudge } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { brevityJudge } from './index';

describeGoldJudgeContract('brevity judge', () => brevityJudge(new MockGoldJudge()));

describe('brevityJudge', () => {
  it('subtracts perWord for every word beyond maxWords', async () => {
    const base = {
      specificationVersion: 'v1' as const,
      name: 'one',
      score: async (p: readonly string[]) => p.map(() => 1),
    };
    const judge = brevityJudge(base, { maxWords: 2, perWord: 0.25 });
    expect(await judge.score(['p', 'p', 'p'], ['a b', 'a b c d', ''])).toEqual([1, 0.5, 1]);
    expect(judge.name).toBe('brevity(one)');
  });
});
