// END-TO-END (~5 s): the sft stage with a data-parallel worker thread saves the same model, byte for byte.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataParallelOptions } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
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

describe('e2e: data-parallel sft', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const sftModel = async (options: { microBatchSize: number; dataParallel?: DataParallelOptions }) => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-dp-'));
    dirs.push(dir);
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { sft: { microBatchSize: options.microBatchSize } },
    });
    const result = await runPipelineStages(config, {
      outDir: dir,
      only: ['sft'],
      dataParallel: options.dataParallel,
    });
    return { bytes: await readFile(join(dir, 'sft/model/model.safetensors')), result };
  };

  it('one worker gives the weights of one thread with the same micro-batches; other micro-batches give others', async () => {
    const one = await sftModel({ microBatchSize: 16 });
    const two = await sftModel({ microBatchSize: 16, dataParallel });
    expect(two.bytes.equals(one.bytes)).toBe(true);
    // The comparison can fail: the same run with whole-batch steps rounds differently.
    const whole = await sftModel({ microBatchSize: 32 });
    expect(whole.bytes.equals(one.bytes)).toBe(false);
  });

  it('refuses workers when a step has one micro-batch, saying what to set', async () => {
    await expect(sftModel({ microBatchSize: 32, dataParallel })).rejects.toThrow(
      /sft\.microBatchSize.*e\.g\. 16/s,
    );
  });
});
