import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunDirectory } from './run-directory';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocrm-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RunDirectory', () => {
  it('creates stage folders and writes the done marker as JSON', async () => {
    const run = new RunDirectory(join(dir, 'run'));
    expect(await run.isDone('sft')).toBe(false);
    expect(await run.readDone('sft')).toBeUndefined();
    const sft = await run.stageDir('sft');
    expect(sft).toBe(join(dir, 'run', 'sft'));
    await writeFile(join(sft, 'model.safetensors'), 'x');
    const marker = await run.markDone('sft', { steps: 12 });
    expect(marker).toMatchObject({ stage: 'sft', steps: 12 });
    expect(await run.isDone('sft')).toBe(true);
    expect(await run.readDone('sft')).toEqual(marker);
    expect(JSON.parse(await readFile(join(sft, 'done'), 'utf8')).steps).toBe(12);
    expect((await readdir(sft)).sort()).toEqual(['done', 'model.safetensors']);
    await run.clearDone('sft');
    expect(await run.isDone('sft')).toBe(false);
    expect(await readdir(sft)).toEqual(['model.safetensors']);
  });

  it('rejects stage names that escape the run folder', async () => {
    const run = new RunDirectory(dir);
    for (const bad of ['../x', 'a/b', '', '.hidden', 'a..b']) {
      expect(() => run.stagePath(bad)).toThrow(/Invalid stage name/);
    }
    expect(run.stagePath('rm-1')).toBe(join(dir, 'rm-1'));
  });

  it('writes and reads the resolved config, appends metrics', async () => {
    const run = new RunDirectory(dir);
    await run.writeConfig({ seed: 1, ppo: { klCoef: 0.05 } });
    expect(await run.readConfig()).toEqual({ seed: 1, ppo: { klCoef: 0.05 } });
    expect(await run.readMetrics()).toEqual([]);
    await run.appendMetrics({ stage: 'ppo-1', step: 1, 'objective/kl': 0.1 });
    await run.appendMetrics({ stage: 'ppo-1', step: 2, 'objective/kl': 0.2 });
    await writeFile(run.metricsPath, `${await readFile(run.metricsPath, 'utf8')}{"stage":"pp`);
    const metrics = await run.readMetrics();
    expect(metrics.map((m) => m['objective/kl'])).toEqual([0.1, 0.2]);
  });

  it('truncateMetrics drops what a resumed stage writes again, and a cut-off last line', async () => {
    const run = new RunDirectory(join(dir, 'run'));
    await run.stageDir('sft');
    const records = [
      { type: 'pipeline-start' },
      { type: 'stage-start', stage: 'sft' },
      { type: 'step-end', stage: 'sft', step: 1 },
      { type: 'step-end', stage: 'sft', step: 2 },
      { type: 'checkpoint', stage: 'sft', step: 2 },
      { type: 'step-end', stage: 'sft', step: 3 },
      { type: 'step-end', stage: 'pairs', step: 3 },
    ];
    for (const r of records) await run.appendMetrics(r);
    await writeFile(run.metricsPath, `${await readFile(run.metricsPath, 'utf8')}{"type":"step-e`);
    expect(await run.truncateMetrics('sft', 2)).toBe(2); // step 3 of sft and the partial line
    expect(await run.readMetrics()).toEqual(records.filter((r) => !(r.stage === 'sft' && r.step === 3)));
    expect(await run.truncateMetrics('sft', 2)).toBe(0);
    expect(await run.truncateMetrics('sft', undefined)).toBe(4); // from scratch: every sft record
    expect((await run.readMetrics()).map((r) => r.type)).toEqual(['pipeline-start', 'step-end']);
    expect(await new RunDirectory(join(dir, 'none')).truncateMetrics('sft', 1)).toBe(0);
  });

  it('truncateMetrics refuses a damaged line in the middle, naming file and line', async () => {
    const run = new RunDirectory(join(dir, 'run'));
    await run.stageDir('sft');
    await writeFile(run.metricsPath, '{"stage":"sft","step":1}\nnot json\n{"stage":"sft","step":2}\n');
    await expect(run.truncateMetrics('sft', 1)).rejects.toThrow(/metrics\.jsonl, line 2: not a JSON record/);
  });
});
