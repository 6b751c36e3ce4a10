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
});
