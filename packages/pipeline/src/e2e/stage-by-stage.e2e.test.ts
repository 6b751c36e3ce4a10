// END-TO-END (slow, ~15 s): the smoke plan run one stage per call (what one SLURM job per stage does) equals one run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { planStages } from '../run/plan';
import { runPipeline, runPipelineStages } from '../run/run-pipeline';

describe('e2e: runPipelineStages, one stage per call', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('gives the files of one whole run; refuses a stage whose upstream is not done', {
    timeout: 600_000,
  }, async () => {
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'ocrm', rounds: 2 } });
    const whole = await mkdtemp(join(tmpdir(), 'ocrm-whole-'));
    const staged = await mkdtemp(join(tmpdir(), 'ocrm-staged-'));
    dirs.push(whole, staged);
    const result = await runPipeline(config, { outDir: whole });

    await expect(runPipelineStages(config, { outDir: staged, only: ['rm-1'] })).rejects.toThrow(
      /stage sft of .* is not done yet/,
    );
    await expect(runPipelineStages(config, { outDir: staged, only: ['ppo-9'] })).rejects.toThrow(
      /no stage `ppo-9`/,
    );
    expect(await runPipelineStages(config, { outDir: staged, only: [] })).toBeUndefined();
    const plan = planStages(config);
    let last: Awaited<ReturnType<typeof runPipelineStages>>;
    for (const stage of plan) last = await runPipelineStages(config, { outDir: staged, only: [stage.name] });
    expect(last!).toBeDefined();
    expect(Object.keys(last!.stageSeconds)).toEqual(plan.map((s) => s.name));
    expect(last!.rounds).toEqual(result.rounds);
    for (const file of [
      'eval/results.json',
      'rm-2/model/model.safetensors',
      'weights-2/weights.jsonl',
      'ppo-2/policy/model.safetensors',
      'ppo-2/curve.jsonl',
    ]) {
      const a = await readFile(join(whole, file));
      const b = await readFile(join(staged, file));
      expect(b.equals(a), file).toBe(true);
    }
  });
});
