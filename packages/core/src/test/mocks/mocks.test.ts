import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildTokenBatch } from '../../batch/build-token-batch';
import { describeGoldJudgeContract } from '../contracts/other-contracts';
import { describePolicyContract } from '../contracts/policy-contract';
import { describeRewardModelContract, describeValueModelContract } from '../contracts/scalar-contracts';
import { MockGoldJudge } from './mock-gold-judge';
import { MockPolicy } from './mock-policy';
import { MockRewardModel } from './mock-reward-model';

describePolicyContract('MockPolicy', () => new MockPolicy());
describeRewardModelContract('MockRewardModel', () => new MockRewardModel(), { vocabSize: 16 });
describeValueModelContract(
  'MockRewardModel (values)',
  () => new MockRewardModel({ valueFn: (p) => p.length }),
  {
    vocabSize: 16,
  },
);
describeGoldJudgeContract('MockGoldJudge', () => new MockGoldJudge());

describe('MockPolicy', () => {
  const policy = new MockPolicy({
    vocabSize: 4,
    eosId: 1,
    distributions: [
      [0.1, 0.2, 0.3, 0.4],
      [0.25, 0.25, 0.25, 0.25],
    ],
  });
  const batch = buildTokenBatch({ prompts: [[2], [3, 3]], responses: [[3, 0, 2], [1]], padId: 0 });

  it('gives the hand-computed log-probs (last distribution reused for later positions)', () => {
    const { logProbs } = policy.logProbs(batch, { temperature: 1 });
    const got = logProbs.arraySync();
    logProbs.dispose();
    expect(got[0]?.[0]).toBeCloseTo(Math.log(0.4), 6);
    expect(got[0]?.[1]).toBeCloseTo(Math.log(0.25), 6);
    expect(got[0]?.[2]).toBeCloseTo(Math.log(0.25), 6);
    expect(got[1]).toEqual([expect.closeTo(Math.log(0.2), 6), 0, 0]);
  });

  it('tempers: log softmax(log p / τ); tokenStats gives log Σ p²', () => {
    const { logProbs } = policy.logProbs(batch, { temperature: 0.5 });
    const z = [0.1, 0.2, 0.3, 0.4].map((p) => p ** 2);
    const total = z.reduce((a, b) => a + b, 0);
    expect(logProbs.arraySync()[0]?.[0]).toBeCloseTo(Math.log((z[3] as number) / total), 5);
    logProbs.dispose();
    const stats = policy.tokenStats(batch);
    expect(stats.logSumSquares.arraySync()[0]?.[0]).toBeCloseTo(Math.log(total), 5);
    tf.dispose([stats.logProbs, stats.logSumSquares]);
  });

  it('samples at temperature 0 the most likely token, and counts calls', async () => {
    const res = await policy.sample([[2]], { temperature: 0, maxNewTokens: 2, seed: 0 });
    expect(Array.from(res.batch.ids)).toEqual([2, 3, 0]); // position 1: uniform → first max (id 0)
    expect(policy.calls.sample).toBe(1);
  });

  it('rejects distributions that are not probabilities', () => {
    expect(() => new MockPolicy({ vocabSize: 2, distributions: [[0.5, 0.6]] })).toThrow(/summing to 1/);
  });
});

describe('MockRewardModel', () => {
  it('counts the target token in the response (prompt excluded), minus the offset', () => {
    const batch = buildTokenBatch({ prompts: [[2, 2], [3]], responses: [[2, 5, 2, 1], [4]], padId: 0 });
    const rm = new MockRewardModel({ targetId: 2, offset: 0.5 });
    const s = rm.score(batch);
    expect(Array.from(s.dataSync())).toEqual([1.5, -0.5]);
    s.dispose();
    const custom = new MockRewardModel({
      scoreFn: (response, prompt) => response.length * 10 + prompt.length,
    });
    const c = custom.score(batch);
    expect(Array.from(c.dataSync())).toEqual([42, 11]);
    c.dispose();
  });
});

describe('MockGoldJudge', () => {
  it('counts whole words, case-insensitively; penalises missing EOS when asked', async () => {
    const judge = new MockGoldJudge({ missingEosPenalty: -1 });
    expect(
      await judge.score(['p', 'p', 'p'], ['Good, good!', 'goodness', 'good'], [true, true, false]),
    ).toEqual([2, 0, 0]);
    const custom = new MockGoldJudge({ scoreFn: (r) => r.length });
    expect(await custom.score(['a'], ['abc'])).toEqual([3]);
    await expect(judge.score(['a'], [])).rejects.toThrow(/one of each/);
    expect(judge.calls).toHaveLength(1);
  });
});
