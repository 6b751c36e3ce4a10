import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTokenBatch } from '@ocrm/core';
import { describeRewardModelTrainerContract } from '@ocrm/core/test';
import { getTask } from '@ocrm/data';
import { resolvePipelineConfig, runPipeline } from '@ocrm/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteRewardModel, remoteRewardModelTrainer } from './index';

let server: ChildProcess | undefined;
let url = '';

/** Starts the reward server in its own process on a free port of 127.0.0.1. */
beforeAll(async () => {
  const script = fileURLToPath(new URL('../server/reward-server.mjs', import.meta.url));
  server = spawn(process.execPath, [script, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    server!.once('error', reject);
    server!.stdout!.on('data', (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(String(chunk))?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
  });
});
afterAll(() => {
  server?.kill();
});

describeRewardModelTrainerContract(
  'remoteRewardModelTrainer (HTTP, another process)',
  () => remoteRewardModelTrainer({ url, vocabSize: 24 }),
  { initModelDir: () => '(unused)', vocabSize: 24, eosId: 0, padId: 1, seedMatters: false },
);

describe('RemoteRewardModel', () => {
  it('scores through the server: the mean of the response tokens’ weights, minus the offset (hand-computed)', async () => {
    const model = new RemoteRewardModel({ url, weights: [0, 0, 1, 3], offset: 0.5 });
    const batch = buildTokenBatch({ prompts: [[1], [1, 1]], responses: [[2, 3], [3]], padId: 0 });
    const scores = model.score(batch);
    expect(Array.from(await scores.data())).toEqual([2 - 0.5, 3 - 0.5]);
    scores.dispose();
  });
});

describe('e2e: OCRM, 2 rounds, smoke preset, RLOO against a reward model served by another process', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const smoke = { method: 'ocrm', rounds: 2, roundStart: 'restart', policyOptimizer: 'rloo' } as const;
  const rloo = { groupSize: 4, rolloutBatchSize: 8, microBatchSize: 8, learningRate: 1e-3, totalUpdates: 2 };

  it('trains RM-1 and the OCRM-weighted RM-2 on the server, and RLOO optimises against them', {
    timeout: 600_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remote-e2e-'));
    dirs.push(dir);
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { ...smoke, rloo } });
    const task = await getTask(config.task.name, config.task.options);
    const trainer = remoteRewardModelTrainer({ url, vocabSize: task.tokenizer.vocabSize });
    await runPipeline(config, { outDir: dir, stages: { task, rewardModelTrainer: trainer } });
    const rm1 = JSON.parse(await readFile(join(dir, 'rm-1', 'remote.json'), 'utf8'));
    const rm2 = JSON.parse(await readFile(join(dir, 'rm-2', 'remote.json'), 'utf8'));
    expect(rm1.weights).toHaveLength(task.tokenizer.vocabSize);
    // RM-2 saw the same pairs with the OCRM weights: a different model.
    expect(rm2.weights).not.toEqual(rm1.weights);
    expect(existsSync(join(dir, 'eval', 'done'))).toBe(true);
  });

  it('refuses PPO (it needs a critic the remote trainer cannot give) before writing anything', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'remote-e2e-')), 'run');
    dirs.push(dir);
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'ocrm', rounds: 2 } });
    const trainer = remoteRewardModelTrainer({ url, vocabSize: 200 });
    await expect(
      runPipeline(config, { outDir: dir, stages: { rewardModelTrainer: trainer } }),
    ).rejects.toThrow(/critic/);
    expect(existsSync(dir)).toBe(false);
  });
});
