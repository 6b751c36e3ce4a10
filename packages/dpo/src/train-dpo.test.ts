import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, type Policy, type TrainEvent } from '@ocrm/core';
import { createTinyPolicy } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DpoConfig } from './config';
import { evaluatePreferencePairs } from './evaluate-pairs';
import { pairLogProbSums } from './pair-batches';
import { tinyPreferenceSet } from './test-support/pairs';
import { trainDpo, trainDpoIter } from './train-dpo';

const pairs = tinyPreferenceSet(16);
const base: Partial<DpoConfig> = {
  beta: 0.5,
  learningRate: 0.03,
  batchSize: 8,
  microBatchSize: 4,
  epochs: 3,
  seed: 7,
};

/** Mean margin h and accuracy of `policy` against `reference` on `pairs` (no gradient). */
function margins(policy: Policy, reference: Policy, config: Partial<DpoConfig> = base) {
  const ref = pairLogProbSums(reference, pairs, { microBatchSize: 8 });
  const m = evaluatePreferencePairs({
    policy,
    pairs,
    reference: ref,
    config: { beta: 1, labelSmoothing: 0, loss: 'sigmoid', weighting: 'none', microBatchSize: 8, ...config },
  });
  return {
    h: m['eval/rewards/margins']! / (config.beta ?? 1),
    accuracy: m['eval/rewards/accuracies']!,
    metrics: m,
  };
}

function weights(policy: Policy): number[] {
  return Object.values(policy.trainableVariables()).flatMap((v) => Array.from(v.dataSync()));
}

async function collect(iter: AsyncGenerator<TrainEvent, unknown>): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  for (;;) {
    const next = await iter.next();
    if (next.done) return events;
    events.push(next.value);
  }
}

describe('trainDpo on a tiny preference set', () => {
  it.each([
    ['dpo', {}],
    ['ipo', { loss: 'ipo' as const, beta: 0.5 }],
    ['wpo', { weighting: 'wpo' as const }],
    ['dpo + label smoothing', { labelSmoothing: 0.1 }],
  ] as [string, Partial<DpoConfig>][])(
    '%s raises the chosen responses’ relative log-probability (h grows from 0)',
    async (_name, extra) => {
      const policy = createTinyPolicy({ seed: 3 });
      const sft = policy.freeze();
      const before = margins(policy, sft);
      expect(Math.abs(before.h)).toBeLessThan(1e-5); // the policy is its own reference at the start
      const result = await trainDpo({
        policy,
        reference: sft,
        pairs,
        evalPairs: pairs,
        config: { ...base, ...extra },
      });
      const after = margins(policy, sft);
      expect(result.steps).toBe(6); // ceil(16 / 8) × 3 epochs
      expect(after.h).toBeGreaterThan(1);
      expect(after.accuracy).toBeGreaterThanOrEqual(0.75);
      expect(result.evalMetrics['eval/rewards/margins']).toBeCloseTo(
        after.metrics['eval/rewards/margins']!,
        4,
      );
      if (extra.weighting === 'wpo') {
        expect(result.metrics['wpo/weight_mean']).toBeGreaterThan(0);
        expect(result.metrics['wpo/weight_mean']).toBeLessThanOrEqual(1);
      }
      sft.dispose();
      policy.dispose();
    },
  );

  it('yields run-start, step-end per step, eval-end, checkpoint and run-end; writes the checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-dpo-'));
    const policy = createTinyPolicy({ seed: 3 });
    const tied = [...pairs, { ...pairs[0]!, id: 'tie', tie: true }];
    const events = await collect(
      trainDpoIter({
        policy,
        pairs: tied,
        evalPairs: pairs.slice(0, 4),
        checkpointDir: dir,
        config: { ...base, epochs: 1, checkpointEvery: 1, evalEvery: 1, maxPairs: 12 },
      }),
    );
    // 12 pairs (tie skipped, capped) / batch 8 -> 2 steps
    expect(events.map((e) => e.type)).toEqual([
      'run-start',
      'step-end',
      'eval-end',
      'checkpoint',
      'step-end',
      'eval-end',
      'checkpoint',
      'run-end',
    ]);
    const stepEnd = events.find((e) => e.type === 'step-end')!;
    expect(stepEnd.type === 'step-end' && Object.keys(stepEnd.metrics).sort()).toEqual(
      [
        'grad/norm',
        'logps/chosen',
        'logps/rejected',
        'loss/dpo',
        'rewards/accuracies',
        'rewards/chosen',
        'rewards/margins',
        'rewards/rejected',
        'train/epoch',
        'train/lr',
      ].sort(),
    );
    // Step 1 starts at h = 0: loss log 2, margins 0.
    expect(stepEnd.type === 'step-end' && stepEnd.metrics['loss/dpo']).toBeCloseTo(Math.LN2, 5);
    const info = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8'));
    expect(info.step).toBe(2);
    expect(info.dataPosition).toBe(16);
    policy.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('is deterministic for a seed, and the seed changes the data order', async () => {
    const run = async (seed: number) => {
      const policy = createTinyPolicy({ seed: 3 });
      await trainDpo({ policy, pairs, config: { ...base, epochs: 1, batchSize: 4, seed } });
      const w = weights(policy);
      policy.dispose();
      return w;
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });

  it('resuming from a checkpoint equals the uninterrupted run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-dpo-resume-'));
    const config = { ...base, epochs: 2, batchSize: 4, checkpointEvery: 0 };
    const full = createTinyPolicy({ seed: 3 });
    await trainDpo({ policy: full, pairs, config });
    const first = createTinyPolicy({ seed: 3 });
    const sft = first.freeze();
    const controller = new AbortController();
    await expect(
      trainDpo({
        policy: first,
        reference: sft,
        pairs,
        checkpointDir: dir,
        config: { ...config, checkpointEvery: 3 },
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'checkpoint') controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(AbortError);
    const resumed = createTinyPolicy({ seed: 3 });
    // The same checkpoint folder: the run resumes from it (one convention for every trainer).
    const result = await trainDpo({ policy: resumed, reference: sft, pairs, checkpointDir: dir, config });
    expect(result.steps).toBe(8);
    const [x, y] = [weights(full), weights(resumed)];
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i]!)))).toBeLessThan(1e-6);
    for (const p of [full, first, sft, resumed]) p.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaks no tensors, also when aborted', async () => {
    const policy = createTinyPolicy({ seed: 3 });
    const before = tf.memory().numTensors;
    await trainDpo({
      policy,
      pairs,
      evalPairs: pairs.slice(0, 4),
      config: { ...base, epochs: 1, weighting: 'wpo' },
    });
    expect(tf.memory().numTensors).toBe(before);
    const controller = new AbortController();
    await expect(
      trainDpo({
        policy,
        pairs,
        config: { ...base, epochs: 1 },
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step-end') controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(AbortError);
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });

  it('rejects unusable input', async () => {
    const policy = createTinyPolicy({ seed: 3 });
    const ties = pairs.map((p) => ({ ...p, tie: true }));
    await expect(trainDpo({ policy, pairs: ties })).rejects.toThrow(/no usable pairs/);
    await expect(trainDpo({ policy, pairs, config: { checkpointEvery: 1 } })).rejects.toThrow(
      /checkpointDir/,
    );
    const frozen = policy.freeze();
    await expect(trainDpo({ policy: frozen, pairs })).rejects.toThrow(/no trainable variables/);
    frozen.dispose();
    policy.dispose();
  });
});
