import { createTinyRewardModel, expectNoLeak, MockPolicy } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { evaluateGold, type GoldEvalRow } from './evaluate-gold';
import { charTokenizer, letterJudge } from './test-support/fixtures';

// Argmax per position: 'a' (2), 'b' (3), EOS (1) → every response is "ab" + EOS: gold ("b" count) 1.
const endsPolicy = new MockPolicy({
  vocabSize: 8,
  distributions: [
    [0, 0.1, 0.6, 0.1, 0.1, 0.1, 0, 0],
    [0, 0.1, 0.1, 0.6, 0.1, 0.1, 0, 0],
    [0, 0.6, 0.1, 0.1, 0.1, 0.1, 0, 0],
  ],
});
// Argmax 'b' at every position, never EOS.
const runOnPolicy = new MockPolicy({
  vocabSize: 8,
  distributions: [[0, 0.1, 0.1, 0.5, 0.1, 0.1, 0.05, 0.05]],
});

const prompts = [
  { id: 'tie', prompt: 'cc', reference: 'b' }, // reference gold 1 = response gold → tie
  { id: 'loss', prompt: 'c', reference: 'bb' }, // 2 > 1 → loss
  { id: 'win', prompt: 'cd', reference: 'a' }, // 0 < 1 → win
  { id: 'no-ref', prompt: 'd' },
];

describe('evaluateGold', () => {
  it('gold, strict win rate with ties counted separately, length and EOS rate (hand-computed)', async () => {
    const judge = letterJudge('b');
    let rows: GoldEvalRow[] = [];
    const metrics = await evaluateGold(endsPolicy, {
      prompts,
      tokenizer: charTokenizer(),
      judge,
      maxNewTokens: 4,
      microBatchSize: 3,
      onResponses: (r) => {
        rows = r;
      },
    });
    expect(metrics).toEqual({
      'eval/gold': 1,
      'eval/length': 3,
      'eval/eos_rate': 1,
      'eval/win_rate': 1 / 3,
      'eval/tie_rate': 1 / 3,
      'eval/reference_gold': 1,
    });
    expect(rows.map((r) => r.response)).toEqual(['ab', 'ab', 'ab', 'ab']);
    expect(rows[2]).toMatchObject({ id: 'win', gold: 1, referenceGold: 0, ended: true });
    expect(judge.calls[1]!.responses).toEqual(['b', 'bb', 'a']);
  });

  it('responses without EOS: full length, EOS rate 0', async () => {
    const metrics = await evaluateGold(runOnPolicy, {
      prompts: prompts.slice(3),
      tokenizer: charTokenizer(),
      judge: letterJudge('b'),
      maxNewTokens: 5,
    });
    expect(metrics).toEqual({ 'eval/gold': 5, 'eval/length': 5, 'eval/eos_rate': 0 });
  });

  it('adds the mean proxy score of a reward model and leaks nothing', async () => {
    const rm = createTinyRewardModel({ vocabSize: 8, seed: 3 });
    try {
      const metrics = await expectNoLeak(() =>
        evaluateGold(endsPolicy, {
          prompts,
          tokenizer: charTokenizer(),
          judge: letterJudge(),
          rewardModel: rm,
          maxNewTokens: 4,
          microBatchSize: 3,
        }),
      );
      expect(Number.isFinite(metrics['eval/proxy'])).toBe(true);
    } finally {
      rm.dispose();
    }
  });

  it('at temperature > 0 evaluates sampled responses (seeded), not the argmax', async () => {
    // 'a' (2) and 'b' (3) equally likely, never EOS: the argmax takes 'a' (gold 0); samples hold 2 'b's of 4 on average.
    const coin = new MockPolicy({ vocabSize: 8, distributions: [[0, 0, 0.5, 0.5, 0, 0, 0, 0]] });
    const many = Array.from({ length: 400 }, (_, i) => ({ id: `p${i}`, prompt: 'c' }));
    const run = (temperature: number, seed: number) =>
      evaluateGold(coin, {
        prompts: many,
        tokenizer: charTokenizer(),
        judge: letterJudge('b'),
        maxNewTokens: 4,
        microBatchSize: 64,
        temperature,
        seed,
      });
    expect((await run(0, 0))['eval/gold']).toBe(0);
    const sampled = (await run(1, 7))['eval/gold']!;
    expect(Math.abs(sampled - 2)).toBeLessThan(0.2); // standard error 0.05
    expect((await run(1, 7))['eval/gold']).toBe(sampled);
    expect((await run(1, 8))['eval/gold']).not.toBe(sampled);
    await expect(run(-1, 0)).rejects.toThrow(/temperature/);
  });
});
