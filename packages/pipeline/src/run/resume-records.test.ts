import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDirectory } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { resumeStep, truncateCurve } from './resume-records';

describe('resume records', () => {
  it('truncateCurve keeps the points up to the checkpoint, drops a cut-off line, or removes the curve', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-curve-'));
    const file = join(dir, 'curve.jsonl');
    const points = [0, 2, 4, 6].map((update) => JSON.stringify({ round: 1, update, metrics: {} }));
    await writeFile(file, `${points.join('\n')}\n{"round":1,"upd`);
    await truncateCurve(file, 4);
    expect(await readFile(file, 'utf8')).toBe(`${points.slice(0, 3).join('\n')}\n`);
    await truncateCurve(file, undefined);
    expect(existsSync(file)).toBe(false);
    await truncateCurve(file, 2); // absent: nothing to do
  });

  it('resumeStep reads the stage checkpoint step, undefined without one', async () => {
    const run = new RunDirectory(await mkdtemp(join(tmpdir(), 'ocrm-resume-')));
    expect(await resumeStep(run, 'ppo-1')).toBeUndefined();
    await mkdir(join(run.stagePath('ppo-1'), 'checkpoint'), { recursive: true });
    await writeFile(join(run.stagePath('ppo-1'), 'checkpoint', 'checkpoint.json'), '{"step":7}');
    expect(await resumeStep(run, 'ppo-1')).toBe(7);
  });
});
