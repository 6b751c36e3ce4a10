// END-TO-END (~20 s): sft, rm and ppo (updates and rollouts) with a data-parallel worker thread save the same models,
// byte for byte.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataParallelOptions } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import type { PipelineEvent } from '../run/events';
import { runPipelineStages } from '../run/run-pipeline';

/** The worker starts the built `@ocrm/backend-wasm` like the CLI's `--workers` (the tests' main thread: wasm + fixes). */
const dataParallel: DataParallelOptions = {
  workers: 1,
  backend: {
    module: '@ocrm/backend-wasm',
    export: 'initBackend',
    options: { prefer: tf.getBackend() === 'cpu' ? 'cpu' : 'wasm', threads: 1 },
  },
};

describe('e2e: data-parallel training', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  /** The smoke preset's models through rm-1 (sft batch 32, rm batch 16) with these micro-batches. */
  const models = async (options: {
    sft: number;
    rm: number;
    ppo: number;
    dataParallel?: DataParallelOptions;
    events?: PipelineEvent[];
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-dp-'));
    dirs.push(dir);
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: {
        sft: { microBatchSize: options.sft },
        rewardModel: { microBatchSize: options.rm },
        ppo: { microBatchSize: options.ppo },
      },
    });
    await runPipelineStages(config, {
      outDir: dir,
      only: ['sft', 'pairs', 'labels', 'rm-1', 'ppo-1'],
      dataParallel: options.dataParallel,
      onEvent: (e) => options.events?.push(e),
    });
    return {
      sft: await readFile(join(dir, 'sft/model/model.safetensors')),
      rm: await readFile(join(dir, 'rm-1/model/model.safetensors')),
      ppo: await readFile(join(dir, 'ppo-1/policy/model.safetensors')),
    };
  };

  it('one worker gives the weights of one thread with the same micro-batches; other micro-batches give others', async () => {
    const events: PipelineEvent[] = [];
    const one = await models({ sft: 16, rm: 8, ppo: 4 });
    const two = await models({ sft: 16, rm: 8, ppo: 4, dataParallel, events });
    expect(two.sft.equals(one.sft)).toBe(true);
    expect(two.rm.equals(one.rm)).toBe(true);
    expect(two.ppo.equals(one.ppo)).toBe(true);
    // The worker sampled and scored half of every rollout (the smoke preset's 8 rows: 2 micro-batches, 1 each).
    const workerRows = events.flatMap((e) =>
      e.type === 'step-end' && e.stage === 'ppo-1' ? [e.metrics['rollout/worker_rows']] : [],
    );
    expect(workerRows.length).toBeGreaterThan(0);
    expect(new Set(workerRows)).toEqual(new Set([4]));
    // The comparison can fail: the same run with whole-batch steps rounds differently.
    const whole = await models({ sft: 32, rm: 16, ppo: 8 });
    expect(whole.sft.equals(one.sft)).toBe(false);
    expect(whole.rm.equals(one.rm)).toBe(false);
    expect(whole.ppo.equals(one.ppo)).toBe(false);
  });

  it('a stage with one micro-batch a step runs without the workers and says why', async () => {
    const events: PipelineEvent[] = [];
    const mixed = await models({ sft: 16, rm: 16, ppo: 8, dataParallel, events });
    const warnings = events.flatMap((e) => (e.type === 'warning' ? [`${e.stage}: ${e.message}`] : []));
    expect(warnings).toEqual([
      expect.stringMatching(/^rm-1: no data-parallel workers: .*rewardModel\.microBatchSize.*e\.g\. 8/),
      expect.stringMatching(/^ppo-1: no data-parallel workers: .*ppo\.microBatchSize.*e\.g\. 4/),
    ]);
    const alone = await models({ sft: 16, rm: 16, ppo: 8 });
    expect(mixed.rm.equals(alone.rm)).toBe(true);
  });

  it('refuses workers at the door when no stage can use them, saying what to set', async () => {
    await expect(models({ sft: 32, rm: 16, ppo: 8, dataParallel })).rejects.toThrow(
      /sft\.microBatchSize.*e\.g\. 16.*rewardModel\.microBatchSize.*ppo\.microBatchSize/s,
    );
  });
});
