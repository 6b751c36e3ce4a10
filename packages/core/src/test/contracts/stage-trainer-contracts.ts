import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTokenBatch } from '../../batch/build-token-batch';
import type { TrainEvent } from '../../contracts/events';
import type { PairSampler, StageShard } from '../../contracts/pair-sampler';
import type { Policy } from '../../contracts/policy';
import type { SftExample } from '../../contracts/records';
import type { SftTrainer } from '../../contracts/sft-trainer';
import { computeLogProbs } from '../../tensor/compute-log-probs';
import { CharTokenizer } from '../char-tokenizer';
import { expectNoLeak } from '../expect-no-leak';
import { createTinyPolicy } from '../tiny/tiny-policy';
import { itDeclaresVersionAndName, weightsSnapshot } from './helpers';

const tokenizer = new CharTokenizer();
const tinyPolicy = () =>
  createTinyPolicy({
    seed: 0,
    vocabSize: tokenizer.vocabSize,
    hidden: 16,
    maxLength: 32,
    eosId: 1,
    padId: 0,
  });

/** Options of {@link describeSftTrainerContract}. */
export interface SftTrainerContractOptions {
  /**
   * A fresh trainable policy of the kind the trainer trains, over the {@link CharTokenizer} vocabulary (pad 0, EOS 1).
   * Default: a tiny real policy (`createTinyPolicy`).
   */
  policy?: () => Policy;
}

/**
 * A vitest suite every {@link SftTrainer} must pass, on character-level demonstrations: returns finite metrics and
 * changes the policy; the same seed trains the same weights, another seed other weights; an abort rejects and a rerun
 * in the same folder ends with the uninterrupted weights; no tensors leak.
 * @param factory - builds the trainer under test, configured small (a few dozen steps at most).
 */
export function describeSftTrainerContract(
  name: string,
  factory: () => SftTrainer | Promise<SftTrainer>,
  options: SftTrainerContractOptions = {},
): void {
  const words = ['cat', 'dog', 'sun', 'sea', 'map', 'pen'];
  const examples: SftExample[] = Array.from({ length: 24 }, (_, i) => ({
    id: `d${i}`,
    prompt: `q${i % 6}:`,
    response: ` ${words[i % 6]}`,
  }));

  async function train(o: { seed?: number; dir?: string; abortAfter?: number } = {}) {
    const trainer = await factory();
    const policy = (options.policy ?? tinyPolicy)();
    const before = await weightsSnapshot(policy.trainableVariables());
    const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'sft-contract-')));
    const controller = new AbortController();
    try {
      const metrics = await trainer.train({
        policy,
        tokenizer,
        train: examples,
        eval: examples.slice(0, 6),
        seed: o.seed ?? 0,
        dir,
        stage: 'sft',
        signal: controller.signal,
        onEvent: (event: TrainEvent) => {
          if (event.type === 'step-end' && event.step === o.abortAfter)
            controller.abort(new Error('contract abort'));
        },
      });
      return { metrics, before, weights: await weightsSnapshot(policy.trainableVariables()) };
    } finally {
      policy.dispose();
      if (!o.dir) await rm(dir, { recursive: true, force: true });
    }
  }

  describe(`SftTrainer contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('trains the policy in place and returns finite metrics; no tensors leak', async () => {
      const r = await expectNoLeak(() => train());
      expect(r.weights).not.toEqual(r.before);
      expect(Object.keys(r.metrics).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(r.metrics)) expect(Number.isFinite(value), key).toBe(true);
    });

    it('the same seed trains the same weights; another seed others', async () => {
      const a = await train();
      expect((await train()).weights).toEqual(a.weights);
      expect((await train({ seed: 5 })).weights).not.toEqual(a.weights);
    });

    it('an aborted run rejects; a rerun in the same folder ends with the uninterrupted weights', async () => {
      const straight = await train();
      const dir = await mkdtemp(join(tmpdir(), 'sft-contract-'));
      try {
        await expect(train({ dir, abortAfter: 1 })).rejects.toThrow();
        expect((await train({ dir })).weights).toEqual(straight.weights);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

/**
 * A vitest suite every {@link PairSampler} must pass, on a tiny real policy: pairs with unique ids whose prompt ids are
 * the prompts' tokens and whose responses run through their first EOS (or the length limit); each records its
 * `samplerTemperature` and summed sampler log-probs that match the policy's own log-probs at that temperature (the
 * OCRM weights' denominator, to 1e-3); the same seed gives the same pairs, another seed others; no tensors leak.
 * @param factory - builds the sampler under test (it should give at least one pair per prompt).
 */
export function describePairSamplerContract(
  name: string,
  factory: () => PairSampler | Promise<PairSampler>,
): void {
  const prompts = Array.from({ length: 6 }, (_, i) => ({ prompt: `q${i}:`, id: `p${i}` }));
  const maxNewTokens = 6;

  async function sample(seed = 0, shard?: StageShard) {
    const sampler = await factory();
    const trainable = tinyPolicy();
    const policy = trainable.freeze();
    trainable.dispose();
    try {
      const pairs = await sampler.sample({ policy, prompts, tokenizer, maxNewTokens, seed, shard });
      // The behaviour density each pair claims, recomputed from the policy with one full forward.
      const recomputed = [];
      for (const pair of pairs) {
        const T = pair.samplerTemperature as number;
        const batch = buildTokenBatch({
          prompts: [pair.promptIds, pair.promptIds],
          responses: [pair.chosenIds, pair.rejectedIds],
          padId: tokenizer.padId,
        });
        const { sums } = await computeLogProbs(policy, batch, { temperature: T, microBatchSize: 2 });
        recomputed.push([sums[0]!, sums[1]!]);
      }
      return { pairs, recomputed };
    } finally {
      policy.dispose();
    }
  }

  describe(`PairSampler contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('gives pairs with unique ids, the prompts’ tokens, responses through their EOS; no tensors leak', async () => {
      const { pairs } = await expectNoLeak(() => sample());
      expect(pairs.length).toBeGreaterThanOrEqual(prompts.length);
      expect(new Set(pairs.map((p) => p.id)).size).toBe(pairs.length);
      const encoded = new Set(prompts.map((p) => tokenizer.encode(p.prompt).join(',')));
      for (const pair of pairs) {
        expect(encoded.has(pair.promptIds.join(',')), `prompt of ${pair.id}`).toBe(true);
        for (const ids of [pair.chosenIds, pair.rejectedIds]) {
          expect(ids.length).toBeGreaterThan(0);
          expect(ids.length).toBeLessThanOrEqual(maxNewTokens);
          const eos = ids.indexOf(tokenizer.eosId);
          expect(eos === -1 ? ids.length === maxNewTokens : eos === ids.length - 1).toBe(true);
        }
      }
    });

    it('records the behaviour density: samplerTemperature and summed log-probs the policy reproduces', async () => {
      const { pairs, recomputed } = await sample();
      pairs.forEach((pair, i) => {
        expect(pair.samplerTemperature, pair.id).toBeGreaterThan(0);
        expect(pair.logpSamplerChosen).toBeCloseTo(recomputed[i]![0]!, 3);
        expect(pair.logpSamplerRejected).toBeCloseTo(recomputed[i]![1]!, 3);
      });
    });

    it('the same seed gives the same pairs; another seed others', async () => {
      const a = (await sample()).pairs;
      expect((await sample()).pairs).toEqual(a);
      expect((await sample(9)).pairs).not.toEqual(a);
    });

    it('when shardable: the shards, concatenated in order, are the unsharded pairs', async () => {
      const sampler = await factory();
      if (!sampler.shardable) return;
      const whole = (await sample()).pairs;
      for (const count of [2, 3]) {
        const parts = [];
        for (let index = 0; index < count; index++) parts.push(...(await sample(0, { index, count })).pairs);
        expect(parts).toEqual(whole);
      }
    });
  });
}
