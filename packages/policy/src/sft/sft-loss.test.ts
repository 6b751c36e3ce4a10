import { buildTokenBatch } from '@ocrm/core';
import { expectNoLeak } from '@ocrm/core/test';
import { createModel, tinyModelConfig } from '@ocrm/models';
import { describe, expect, it } from 'vitest';
import { CausalLMPolicy } from '../causal-lm-policy';
import { sftLoss, sftTokenCount } from './sft-loss';

describe('sftLoss', () => {
  const model = createModel(tinyModelConfig('gpt_neox', { vocabSize: 17, hiddenSize: 16, numLayers: 1 }), {
    seed: 3,
  });
  const policy = CausalLMPolicy.fromModel(model, { eosId: 1, padId: 0 });
  const batch = buildTokenBatch({
    prompts: [
      [5, 6],
      [4, 5, 6],
    ],
    responses: [[8, 9, 1], [1]],
    padId: 0,
  });

  it('at promptLossWeight 0 is the mean response log-loss the policy reports', async () => {
    const { logProbs } = policy.logProbs(batch, { temperature: 1 });
    const lp = await logProbs.array();
    logProbs.dispose();
    const responseTokens = [lp[0]![0]!, lp[0]![1]!, lp[0]![2]!, lp[1]![0]!];
    const expected = -responseTokens.reduce((a, b) => a + b, 0) / 4;
    const { loss, tokens } = sftLoss(model, batch, undefined, 0);
    expect(tokens).toBe(4);
    expect(sftTokenCount(batch, 0)).toBe(4);
    expect((await loss.data())[0]).toBeCloseTo(expected, 5);
    loss.dispose();
  });

  it('at weight 1 also averages the prompt targets (more tokens, a different mean)', async () => {
    const { loss, tokens } = sftLoss(model, batch);
    expect(tokens).toBe(7); // 1 + 2 prompt targets, 4 response targets
    const full = (await loss.data())[0]!;
    loss.dispose();
    const none = sftLoss(model, batch, undefined, 0);
    expect(Math.abs(full - (await none.loss.data())[0]!)).toBeGreaterThan(1e-3);
    none.loss.dispose();
  });

  it('leaks no tensors', async () => {
    await expectNoLeak(() => sftLoss(model, batch, undefined, 0.5).loss.dispose());
  });
});
