import { join } from 'node:path';
import { buildTokenBatch, readSafetensors } from '@ocrm/core';
import { describePolicyContract, expectNoLeak } from '@ocrm/core/test';
import { createModel, loadModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausalLMPolicy } from './causal-lm-policy';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/hf-tiny-reference');
const EOS = 2;
const PAD = 0;

function tinyPolicy(seed = 1, type: 'gpt_neox' | 'qwen2' | 'gpt2' = 'gpt_neox'): CausalLMPolicy {
  const config = tinyModelConfig(type, { vocabSize: 32, hiddenSize: 16, numLayers: 1, numHeads: 2 });
  return CausalLMPolicy.fromModel(createModel(config, { seed }), { eosId: EOS, padId: PAD });
}

describePolicyContract('CausalLMPolicy (gpt_neox)', () => tinyPolicy(1), {
  load: (dir) => CausalLMPolicy.load(dir),
});

describePolicyContract('CausalLMPolicy (qwen2, PAD = EOS)', () => {
  const config = tinyModelConfig('qwen2', { vocabSize: 32, hiddenSize: 16, numLayers: 1, numHeads: 2 });
  return CausalLMPolicy.fromModel(createModel(config, { seed: 2 }), { eosId: EOS, padId: EOS });
});

describe('CausalLMPolicy', () => {
  let policy: CausalLMPolicy;
  beforeAll(() => {
    policy = tinyPolicy(3);
  });
  afterAll(() => policy.dispose());
  const prompts = [[5, 6, 7], [9], [11, 12], [3, 4, 5, 6]];

  it('logProbs agrees with sampling-time log-probs to 1e-4 (KV cache vs full forward)', async () => {
    for (const temperature of [1, 0.7]) {
      const res = await policy.sample(prompts, { temperature, maxNewTokens: 10, seed: 4, microBatchSize: 3 });
      const { logProbs } = policy.logProbs(res.batch, { temperature });
      const full = logProbs.dataSync();
      logProbs.dispose();
      let maxDiff = 0;
      for (let i = 0; i < full.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(full[i]! - res.logProbs[i]!));
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it('argmax sampling equals a greedy loop over full forwards (no cache)', async () => {
    const res = await policy.sample(prompts, { temperature: 0, maxNewTokens: 6, seed: 0 });
    for (let b = 0; b < prompts.length; b++) {
      const seq = [...prompts[b]!];
      for (let s = 0; s < 6; s++) {
        const next = tf.tidy(() => {
          const { logits } = policy.model.forward({
            inputIds: [seq],
            logits: { start: seq.length - 1, end: seq.length },
          });
          return tf.argMax(logits!, -1).dataSync()[0]!;
        });
        seq.push(next);
        if (next === EOS) break;
      }
      const { seqLength: T, promptLength: P } = res.batch;
      const got = Array.from(res.batch.ids.subarray(b * T + P, b * T + P + seq.length - prompts[b]!.length));
      expect(got).toEqual(seq.slice(prompts[b]!.length));
    }
  });

  it('fixed-length mode generates maxNewTokens and pads after the first EOS', async () => {
    // a policy that emits EOS often: raise the EOS logit through the LM head bias-free weights
    const eager = policy.clone();
    const head = eager.model.weight('lm_head') ?? eager.model.weight('embed');
    tf.tidy(() => {
      const w = head!;
      const bump = tf.oneHot([EOS], w.shape[1]!).mul(0.8).tile([w.shape[0]!, 1]);
      if (w.shape[1] === eager.vocabSize) w.assign(w.add(bump));
    });
    const res = await eager.sample(prompts, {
      temperature: 1,
      maxNewTokens: 12,
      seed: 1,
      lengthMode: 'fixed',
    });
    eager.dispose();
    expect(res.batch.seqLength - res.batch.promptLength).toBe(12);
    let sawPadding = false;
    for (let b = 0; b < prompts.length; b++) {
      const { seqLength: T, promptLength: P } = res.batch;
      const ids = Array.from(res.batch.ids.subarray(b * T + P, (b + 1) * T));
      const mask = Array.from(res.batch.mask.subarray(b * T + P, (b + 1) * T));
      const eos = ids.indexOf(EOS);
      if (eos >= 0 && eos < 11) {
        sawPadding = true;
        expect(mask.slice(eos + 1)).toEqual(Array(11 - eos).fill(0));
        expect(ids.slice(eos + 1)).toEqual(Array(11 - eos).fill(PAD));
      }
    }
    expect(sawPadding).toBe(true);
  });

  it('gradients of logProbs reach the model, and leak tests pass', async () => {
    const batch = buildTokenBatch({ prompts, responses: [[4, 2], [5, 6, 7], [8], [9, 10, 2]], padId: PAD });
    const vars = policy.trainableVariables();
    const { grads, value } = tf.variableGrads(
      () => tf.sum(policy.logProbs(batch, { temperature: 1 }).logProbs),
      Object.values(vars),
    );
    expect(Object.keys(grads).length).toBe(Object.keys(vars).length);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    await expectNoLeak(() =>
      policy.sample(prompts, { temperature: 0.7, maxNewTokens: 5, seed: 2, topK: 5, topP: 0.9 }),
    );
    await expectNoLeak(() => policy.logProbs(batch, { temperature: 0.7, withEntropy: true }));
  });
});

describe('CausalLMPolicy on the gpt-neox-tiny fixture', () => {
  it('argmax sampling reproduces transformers greedy_output', async () => {
    const dir = join(FIXTURES, 'gpt-neox-tiny');
    const expected = await readSafetensors(join(dir, 'expected.safetensors'));
    const policy = await CausalLMPolicy.load(dir);
    try {
      const [B, P] = expected.greedy_prompt!.shape as [number, number];
      const total = expected.greedy_output!.shape[1]!;
      const promptIds = Array.from({ length: B }, (_, b) =>
        Array.from((expected.greedy_prompt!.data as Int32Array).subarray(b * P, (b + 1) * P)),
      );
      const res = await policy.sample(promptIds, { temperature: 0, maxNewTokens: total - P, seed: 0 });
      for (let b = 0; b < B; b++) {
        const want = Array.from(
          (expected.greedy_output!.data as Int32Array).subarray(b * total + P, (b + 1) * total),
        );
        const T = res.batch.seqLength;
        const got = Array.from(res.batch.ids.subarray(b * T + P, (b + 1) * T));
        const eos = want.indexOf(policy.eosId);
        const n = eos >= 0 ? eos + 1 : want.length;
        expect(got.slice(0, n)).toEqual(want.slice(0, n));
      }
    } finally {
      policy.dispose();
    }
  });

  it('load → save → load gives identical log-probs', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-policy-'));
    const a = await CausalLMPolicy.load(join(FIXTURES, 'gpt-neox-tiny'));
    try {
      await a.save(dir);
      const b = await CausalLMPolicy.load(dir);
      const batch = buildTokenBatch({ prompts: [[3, 4, 5]], responses: [[6, 7, 8]], padId: a.padId });
      const la = a.logProbs(batch, { temperature: 1 }).logProbs;
      const lb = b.logProbs(batch, { temperature: 1 }).logProbs;
      expect(Array.from(lb.dataSync())).toEqual(Array.from(la.dataSync()));
      expect([b.eosId, b.padId]).toEqual([a.eosId, a.padId]);
      tf.dispose([la, lb]);
      b.dispose();
      void loadModel;
    } finally {
      a.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
