// END-TO-END (slow, ~1 min): OCRM on the smoke preset with RLOO from the config and GRPO swapped in from code.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonlAll } from '@ocrm/core';
import { grpoOptimizer } from '@ocrm/policy-gradient';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { runPipeline } from '../run/run-pipeline';

const SECTION = { groupSize: 4, rolloutBatchSize: 8, microBatchSize: 8, learningRate: 1e-3, totalUpdates: 2 };

describe('e2e: the policy optimizer is a stage of its own', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-optimizer-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('runs OCRM with 2 rounds of RLOO (policyOptimizer: rloo): the same stages, curve and artifacts as PPO', {
    timeout: 600_000,
  }, async () => {
    const dir = await tempDir();
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { method: 'ocrm', rounds: 2, roundStart: 'restart', policyOptimizer: 'rloo', rloo: SECTION },
    });
    await runPipeline(config, { outDir: dir });
    for (const stage of ['ppo-1', 'weights-2', 'rm-2', 'ppo-2', 'eval', 'report']) {
      expect(existsSync(join(dir, stage, 'done')), stage).toBe(true);
    }
    const metrics = await readJsonlAll<{
      type: string;
      stage?: string;
      step?: number;
      metrics?: Record<string, number>;
    }>(join(dir, 'metrics.jsonl'));
    const steps = metrics.filter((m) => m.type === 'step-end' && m.stage === 'ppo-2');
    expect(steps.map((m) => m.step)).toEqual([1, 2]);
    // RLOO's own metrics (no value loss: there is no critic).
    expect(Number.isFinite(steps[0]?.metrics?.['loss/policy'])).toBe(true);
    expect(steps[0]?.metrics?.['loss/value']).toBeUndefined();
    const curve = await readJsonlAll<{ update: number }>(join(dir, 'ppo-2/curve.jsonl'));
    expect(curve.map((p) => p.update)).toEqual([0, 1, 2]);
    // The weights took the policy's density at RLOO's temperature.
    const logProbs = JSON.parse(await readFile(join(dir, 'weights-2/details.json'), 'utf8'));
    expect(logProbs.temperatures.policy).toBe(0.7);
    const result = JSON.parse(await readFile(join(dir, 'ppo-2/result.json'), 'utf8'));
    expect(result.updates).toBe(2);
    expect(result.episodes).toBe(16);
    expect(await readdir(join(dir, 'ppo-2/policy'))).toContain('model.safetensors');
    const policy1 = await readFile(join(dir, 'ppo-1/policy/model.safetensors'));
    const policy2 = await readFile(join(dir, 'ppo-2/policy/model.safetensors'));
    expect(policy2.equals(policy1)).toBe(false);
  });

  it('runs standard RLHF with GRPO swapped in from code', { timeout: 600_000 }, async () => {
    const dir = await tempDir();
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'rlhf', rounds: 1 } });
    const optimizer = grpoOptimizer({ ...SECTION, totalUpdates: 100, temperature: 0.9 });
    await runPipeline(config, { outDir: dir, stages: { policyOptimizer: optimizer } });
    const metrics = await readJsonlAll<{ type: string; stage?: string; metrics?: Record<string, number> }>(
      join(dir, 'metrics.jsonl'),
    );
    const steps = metrics.filter((m) => m.type === 'step-end' && m.stage === 'ppo-1');
    // Updates per round come from the config (ppo.totalUpdates), not the swapped optimizer's own field.
    expect(steps).toHaveLength(Number(config.ppo.totalUpdates));
    expect(Number.isFinite(steps[0]?.metrics?.['policy/kl_term'])).toBe(true);
    expect(existsSync(join(dir, 'eval', 'done'))).toBe(true);
  });

  it('takes both from modules named in the config (policyOptimizerModule, rewardModel.module)', {
    timeout: 600_000,
  }, async () => {
    // Inside the package, so the modules resolve `@ocrm/*` like any user module in a project would.
    const dir = await mkdtemp(join(fileURLToPath(new URL('../..', import.meta.url)), '.tmp-modules-'));
    dirs.push(dir);
    const optimizerFile = join(dir, 'optimizer.mjs');
    await writeFile(
      optimizerFile,
      `import { grpoOptimizer } from '@ocrm/policy-gradient';
       export default (ppo) => grpoOptimizer({ groupSize: 4, rolloutBatchSize: ppo.rolloutBatchSize, learningRate: ppo.learningRate, microBatchSize: 8 });`,
    );
    const trainerFile = join(dir, 'trainer.mjs');
    await writeFile(
      trainerFile,
      `import { scalarRewardModelTrainer } from '@ocrm/reward-model';
       export const trainer = (section) => ({ ...scalarRewardModelTrainer({ trainable: 'head', config: { epochs: section.epochs, batchSize: section.batchSize } }), name: 'from-module' });`,
    );
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: {
        method: 'rlhf',
        policyOptimizerModule: optimizerFile,
        rewardModel: { module: trainerFile },
      },
    });
    const out = join(dir, 'run');
    await runPipeline(config, { outDir: out });
    const metrics = await readJsonlAll<{ type: string; stage?: string; metrics?: Record<string, number> }>(
      join(out, 'metrics.jsonl'),
    );
    const steps = metrics.filter((m) => m.type === 'step-end' && m.stage === 'ppo-1');
    expect(Number.isFinite(steps[0]?.metrics?.['policy/kl_term'])).toBe(true);
    expect(existsSync(join(out, 'rm-1', 'model', 'model.safetensors'))).toBe(true);
    const fingerprint = JSON.parse(await readFile(join(out, 'ppo-1', 'fingerprint.json'), 'utf8'));
    expect(fingerprint.config.policyOptimizerModule).toBe(optimizerFile);
  });

  it('refuses an optimizer that cannot continue with roundStart continue, before writing anything', async () => {
    expect(() =>
      resolvePipelineConfig({ preset: 'smoke', overrides: { rounds: 2, policyOptimizer: 'grpo' } }),
    ).toThrow(/roundStart.*restart/);
    const dir = join(await tempDir(), 'run');
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { rounds: 2 } });
    await expect(
      runPipeline(config, { outDir: dir, stages: { policyOptimizer: grpoOptimizer(SECTION) } }),
    ).rejects.toThrow(/cannot continue.*restart/);
    expect(existsSync(dir)).toBe(false);
  });
});
