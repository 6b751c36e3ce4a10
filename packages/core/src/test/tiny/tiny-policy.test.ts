import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildTokenBatch } from '../../batch/build-token-batch';
import { describePolicyContract } from '../contracts/policy-contract';
import { expectNoLeak } from '../expect-no-leak';
import { createTinyPolicy, loadTinyPolicy } from './tiny-policy';

describePolicyContract('TinyPolicy', () => createTinyPolicy({ seed: 1 }), { load: loadTinyPolicy });
describePolicyContract('TinyPolicy (padId = eosId)', () =>
  createTinyPolicy({ seed: 2, vocabSize: 12, eosId: 11, padId: 11 }),
);

describe('createTinyPolicy', () => {
  const prompts = [[2, 3, 4], [5], [6, 7]];

  it('is seeded: same options, same weights; other seed, other weights; stable variable names', () => {
    const a = createTinyPolicy({ seed: 4 });
    const b = createTinyPolicy({ seed: 4 });
    const c = createTinyPolicy({ seed: 5 });
    const names = Object.keys(a.trainableVariables());
    expect(names).toEqual([
      'embed_tokens.weight',
      'embed_positions.weight',
      'hidden.input.weight',
      'hidden.context.weight',
      'hidden.bias',
      'lm_head.weight',
      'lm_head.bias',
    ]);
    const w = (p: typeof a) => Array.from(p.trainableVariables()['lm_head.weight']?.dataSync() ?? []);
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    expect(a.trainableVariables()['embed_tokens.weight']?.shape).toEqual([16, 16]);
    for (const p of [a, b, c]) p.dispose();
  });

  it('topK 1 and a tiny topP are argmax (log-prob 0 under the truncated distribution)', async () => {
    const policy = createTinyPolicy({ seed: 1 });
    const argmax = await policy.sample(prompts, { temperature: 0, maxNewTokens: 5, seed: 1 });
    for (const extra of [{ topK: 1 }, { topP: 1e-6 }]) {
      const res = await policy.sample(prompts, { temperature: 1, maxNewTokens: 5, seed: 7, ...extra });
      expect(Array.from(res.batch.ids)).toEqual(Array.from(argmax.batch.ids));
      expect(Array.from(res.logProbs).every((x) => x === 0)).toBe(true);
    }
    policy.dispose();
  });

  it('topK k draws only among the k most likely tokens', async () => {
    const policy = createTinyPolicy({ seed: 1 });
    const res = await policy.sample([[2, 3]], { temperature: 1, maxNewTokens: 1, seed: 0, topK: 3 });
    const full = policy.logProbs(res.batch, { temperature: 1 });
    // Log-prob under the top-3 distribution ≥ log-prob under the full one (renormalised over fewer tokens).
    expect(res.logProbs[0] as number).toBeGreaterThanOrEqual((full.logProbs.dataSync()[0] as number) - 1e-6);
    full.logProbs.dispose();
    policy.dispose();
  });

  it('gives the same samples whatever the micro-batch size', async () => {
    const policy = createTinyPolicy({ seed: 3 });
    const opts = { temperature: 1, maxNewTokens: 6, seed: 11 } as const;
    const whole = await policy.sample(prompts, opts);
    const split = await policy.sample(prompts, { ...opts, microBatchSize: 1 });
    expect(Array.from(split.batch.ids)).toEqual(Array.from(whole.batch.ids));
    expect(Array.from(split.logProbs)).toEqual(Array.from(whole.logProbs));
    const otherStream = await policy.sample(prompts, { ...opts, stream: 1 });
    expect(Array.from(otherStream.batch.ids)).not.toEqual(Array.from(whole.batch.ids));
    policy.dispose();
  });

  it('log-probs of a hand-built batch: 0 on padding, sum over the vocabulary of probabilities is 1', () => {
    const policy = createTinyPolicy({ seed: 1, vocabSize: 4, hidden: 8 });
    // Every possible next token after prompt [2, 3]: their probabilities must sum to 1.
    const batch = buildTokenBatch({
      prompts: [
        [2, 3],
        [2, 3],
        [2, 3],
        [2, 3],
      ],
      responses: [[0], [1], [2], [3]],
      padId: 0,
    });
    const lp = policy.logProbs(batch, { temperature: 0.5 });
    const total = Array.from(lp.logProbs.dataSync()).reduce((s, x) => s + Math.exp(x), 0);
    expect(total).toBeCloseTo(1, 5);
    lp.logProbs.dispose();
    policy.dispose();
  });

  it('learns: 30 SGD steps raise the log-prob of a target response', async () => {
    const policy = createTinyPolicy({ seed: 1 });
    const batch = buildTokenBatch({ prompts: [[2, 3]], responses: [[7, 8, 1]], padId: 0 });
    const sum = () =>
      tf.tidy(() => tf.sum(policy.logProbs(batch, { temperature: 1 }).logProbs).dataSync()[0] as number);
    const before = sum();
    const optimizer = tf.train.sgd(0.5);
    await expectNoLeak(() => {
      for (let i = 0; i < 30; i++) {
        optimizer.minimize(
          () => tf.neg(tf.sum(policy.logProbs(batch, { temperature: 1 }).logProbs)) as tf.Scalar,
          false,
          Object.values(policy.trainableVariables()),
        );
      }
    });
    optimizer.dispose();
    const after = sum();
    expect(after).toBeGreaterThan(before + 1);
    policy.dispose();
  });

  it('rejects bad options and batches with clear errors', async () => {
    expect(() => createTinyPolicy({ eosId: 99 })).toThrow(/eosId/);
    const policy = createTinyPolicy({ maxLength: 8 });
    await expect(policy.sample([[2]], { temperature: -1, maxNewTokens: 2, seed: 0 })).rejects.toThrow(
      /temperature/,
    );
    await expect(policy.sample([[2, 3, 4]], { temperature: 1, maxNewTokens: 6, seed: 0 })).rejects.toThrow(
      /maxLength/,
    );
    const batch = buildTokenBatch({ prompts: [[2]], responses: [[99]], padId: 0 });
    expect(() => policy.logProbs(batch, { temperature: 1 })).toThrow(/outside/);
    expect(() => policy.logProbs(batch, { temperature: 0 })).toThrow(/temperature/);
    policy.dispose();
    const ok = buildTokenBatch({ prompts: [[2]], responses: [[3]], padId: 0 });
    expect(() => policy.tokenStats(ok)).toThrow(/disposed/);
    await expect(policy.sample([[2]], { temperature: 1, maxNewTokens: 2, seed: 0 })).rejects.toThrow(
      /disposed/,
    );
  });
});
