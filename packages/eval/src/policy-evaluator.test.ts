import { describeEvaluatorContract, expectNoLeak, MockPolicy } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { createPolicyEvaluator } from './policy-evaluator';
import { charTokenizer, letterJudge, sumRewardModel } from './test-support/fixtures';

describe('createPolicyEvaluator', () => {
  const sft = new MockPolicy({ vocabSize: 8 });
  const options = {
    prompts: [
      { id: '1', prompt: 'ab', reference: 'b' },
      { id: '2', prompt: 'c', reference: 'a' },
    ],
    tokenizer: charTokenizer(),
    judge: letterJudge(),
    rewardModel: sumRewardModel(),
    sft,
    maxNewTokens: 3,
  };
  const evaluator = createPolicyEvaluator(options);

  it('reports gold, proxy and KL to SFT (0 for the SFT policy itself), without leaks', async () => {
    expect(evaluator.specificationVersion).toBe('v1');
    const metrics = await expectNoLeak(() => evaluator.evaluate(sft.clone(), { stage: 'ppo-1', update: 0 }));
    expect(Object.keys(metrics).sort()).toEqual([
      'eval/eos_rate',
      'eval/gold',
      'eval/kl_sft',
      'eval/length',
      'eval/proxy',
      'eval/reference_gold',
      'eval/tie_rate',
      'eval/win_rate',
    ]);
    expect(metrics['eval/kl_sft']).toBe(0);
    const other = new MockPolicy({ vocabSize: 8, eosProb: 0.5 });
    const moved = await evaluator.evaluate(other, {});
    expect(moved['eval/kl_sft']).not.toBe(0);
    expect(() => createPolicyEvaluator({ ...options, klSamplesPerPrompt: 0 })).toThrow(/klSamplesPerPrompt/);
    const repeated = await createPolicyEvaluator({ ...options, klSamplesPerPrompt: 3 }).evaluate(other, {});
    expect(repeated['eval/gold']).toBe(moved['eval/gold']);
  });

  it('klPromptCount limits the KL prompts only; temperature samples the gold responses', async () => {
    const other = new MockPolicy({ vocabSize: 8, eosProb: 0.5 });
    const all = await evaluator.evaluate(other, {});
    const first = await createPolicyEvaluator({ ...options, klPromptCount: 1 }).evaluate(other, {});
    expect(first['eval/gold']).toBe(all['eval/gold']);
    const single = await createPolicyEvaluator({ ...options, prompts: options.prompts.slice(0, 1) }).evaluate(
      other,
      {},
    );
    expect(first['eval/kl_sft']).toBe(single['eval/kl_sft']);
    const sampled = await createPolicyEvaluator({ ...options, temperature: 1, seed: 3 }).evaluate(other, {});
    expect(sampled['eval/kl_sft']).toBeDefined();
    expect(sampled['eval/length']).not.toBe(all['eval/length']);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(evaluator.evaluate(sft, { signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});

describeEvaluatorContract('createPolicyEvaluator', () =>
  createPolicyEvaluator({
    prompts: [{ id: '1', prompt: 'ab', reference: 'b' }],
    tokenizer: charTokenizer(),
    judge: letterJudge(),
    rewardModel: sumRewardModel(),
    sft: new MockPolicy({ vocabSize: 8, eosProb: 0.4 }),
    maxNewTokens: 3,
  }),
);
