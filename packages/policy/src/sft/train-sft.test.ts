import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SftExample, TrainEvent } from '@ocrm/core';
import { CharTokenizer } from '@ocrm/core/test';
import { createModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CausalLMPolicy } from '../causal-lm-policy';
import { trainSft, trainSftIter } from './train-sft';

// Letters, ':', '=' and space: vocab 31 (the numbers below were measured with it).
const tokenizer = new CharTokenizer('abcdefghijklmnopqrstuvwxyz:= ');
const letters = 'abcdefgh';
// "c:" → "def": the next three letters, cyclically
const corpus: SftExample[] = Array.from(letters, (c, i) => ({
  id: c,
  prompt: `${c}:`,
  response: [1, 2, 3].map((k) => letters[(i + k) % letters.length]).join(''),
}));

function newPolicy(seed = 0): CausalLMPolicy {
  const config = tinyModelConfig('gpt_neox', {
    vocabSize: tokenizer.vocabSize,
    hiddenSize: 32,
    numLayers: 1,
    numHeads: 2,
  });
  return CausalLMPolicy.fromModel(createModel(config, { seed }), {
    eosId: tokenizer.eosId,
    padId: tokenizer.padId,
  });
}

describe('trainSft', () => {
  it('refuses data-parallel workers when a step has one micro-batch, saying what to set, and leaks nothing', async () => {
    const policy = newPolicy(1);
    const before = tf.memory().numTensors;
    await expect(
      trainSft({
        policy,
        tokenizer,
        train: corpus,
        config: { batchSize: 8, microBatchSize: 8, epochs: 1 },
        dataParallel: { workers: 1 },
      }),
    ).rejects.toThrow(/sft\.microBatchSize.*e\.g\. 4/s);
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });

  it('loss falls on a tiny corpus and the model then generates its patterns', async () => {
    const policy = newPolicy(1);
    const events: TrainEvent[] = [];
    const before = tf.memory().numTensors;
    const result = await trainSft({
      policy,
      tokenizer,
      train: corpus,
      eval: corpus.slice(0, 4),
      config: { learningRate: 2e-2, batchSize: 8, microBatchSize: 8, epochs: 30, evalEvery: 10 },
      onEvent: (e) => events.push(e),
    });
    expect(tf.memory().numTensors).toBe(before);
    const losses = events.flatMap((e) => (e.type === 'step-end' ? [e.metrics['loss/train']!] : []));
    expect(result.steps).toBe(30);
    expect(losses[0]).toBeGreaterThan(2.5); // ≈ log(31) at init
    expect(result.trainLoss).toBeLessThan(0.3);
    expect(result.evalLoss).toBeLessThan(0.3);
    expect(events.filter((e) => e.type === 'eval-end').length).toBe(3);
    expect(events[0]!.type).toBe('run-start');
    expect(events.at(-1)!.type).toBe('run-end');
    const prompts = ['c:', 'g:'].map((p) => tokenizer.encode(p));
    const out = await policy.sample(prompts, { temperature: 0, maxNewTokens: 5, seed: 0 });
    const { seqLength: T, promptLength: P } = out.batch;
    const texts = [0, 1].map((b) => tokenizer.decode(out.batch.ids.subarray(b * T + P, (b + 1) * T)));
    expect(texts).toEqual(['def', 'hab']);
    expect(Array.from(out.hasEos)).toEqual([1, 1]);
    policy.dispose();
  });

  it('accumulating micro-batches gives the same update as one batch', async () => {
    const run = async (microBatchSize: number) => {
      const policy = newPolicy(2);
      await trainSft({
        policy,
        tokenizer,
        train: corpus,
        config: { learningRate: 1e-2, batchSize: 8, microBatchSize, epochs: 1 },
      });
      const w = Object.values(policy.trainableVariables())[0]!.dataSync().slice();
      policy.dispose();
      return w;
    };
    const a = await run(8);
    const b = await run(2);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('checkpoints, resumes to the same weights, and honours an AbortSignal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-sft-'));
    const config = { learningRate: 1e-2, batchSize: 4, microBatchSize: 4, epochs: 2, checkpointEvery: 2 };
    // interrupted after 2 of 4 steps (abort), then resumed from the checkpoint
    const first = newPolicy(3);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    await expect(
      (async () => {
        const iter = trainSftIter({
          policy: first,
          tokenizer,
          train: corpus,
          config,
          checkpointDir: dir,
          signal: controller.signal,
        });
        for await (const event of iter) if (event.type === 'checkpoint') controller.abort();
      })(),
    ).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
    first.dispose();
    try {
      const straight = newPolicy(3);
      await trainSft({ policy: straight, tokenizer, train: corpus, config });
      const resumed = newPolicy(3);
      const events: TrainEvent[] = [];
      await trainSft({
        policy: resumed,
        tokenizer,
        train: corpus,
        config,
        checkpointDir: dir,
        onEvent: (e) => events.push(e),
      });
      expect(events.filter((e) => e.type === 'step-end').map((e) => (e as { step: number }).step)).toEqual([
        3, 4,
      ]);
      const a = Object.values(straight.trainableVariables()).map((v) => Array.from(v.dataSync()));
      const b = Object.values(resumed.trainableVariables()).map((v) => Array.from(v.dataSync()));
      for (let i = 0; i < a.length; i++) {
        for (let j = 0; j < a[i]!.length; j++) expect(b[i]![j]).toBeCloseTo(a[i]![j]!, 6);
      }
      straight.dispose();
      resumed.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sees an abort that arrives from a timer (Ctrl-C) while it is running, within a step', async () => {
    const policy = newPolicy(3);
    const controller = new AbortController();
    let steps = 0;
    setTimeout(() => controller.abort(new Error('interrupted by a timer')), 30);
    await expect(
      trainSft({
        policy,
        tokenizer,
        train: corpus,
        config: { epochs: 500, batchSize: 4, microBatchSize: 4 },
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step-end') steps = e.step;
        },
      }),
    ).rejects.toThrow(/interrupted by a timer/);
    expect(steps).toBeLessThan(1000); // 500 epochs × 2 steps would run to the end without yielding
    policy.dispose();
  });

  it('on abort saves the finished steps to its checkpoint folder, and a rerun continues from there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-sft-abort-'));
    const policy = newPolicy(4);
    const controller = new AbortController();
    let stepsBefore = 0;
    const config = { epochs: 3, batchSize: 4, microBatchSize: 4 };
    await expect(
      trainSft({
        policy,
        tokenizer,
        train: corpus,
        config,
        checkpointDir: dir,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step-end') {
            stepsBefore = e.step;
            if (e.step === 3) controller.abort();
          }
        },
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(stepsBefore).toBe(3);
    const resumedSteps: number[] = [];
    await trainSft({
      policy,
      tokenizer,
      train: corpus,
      config,
      checkpointDir: dir,
      onEvent: (e) => e.type === 'step-end' && resumedSteps.push(e.step),
    });
    expect(resumedSteps[0]).toBe(4); // continues after the 3 saved steps (6 in total)
    expect(resumedSteps.at(-1)).toBe(6);
    policy.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});
