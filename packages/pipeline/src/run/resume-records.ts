import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_FILE, filterJsonl, type RunDirectory, readJson } from '@ocrm/core';

/**
 * The step of the checkpoint a stage will resume from (`<stage>/checkpoint/checkpoint.json`), or undefined when it
 * starts from scratch.
 */
export async function resumeStep(run: RunDirectory, stage: string): Promise<number | undefined> {
  const file = join(run.stagePath(stage), 'checkpoint', CHECKPOINT_FILE);
  if (!existsSync(file)) return undefined;
  const info = await readJson<{ step?: unknown }>(file);
  return typeof info.step === 'number' ? info.step : undefined;
}

/**
 * Drops the points of a PPO stage's `curve.jsonl` that its resumed run will evaluate again: all of them when it
 * restarts (the first point, update 0, is re-evaluated deterministically), else those past `keepUpdate` (counted
 * within the round). A last line cut off by a kill is dropped too.
 */
export async function truncateCurve(file: string, keepUpdate: number | undefined): Promise<void> {
  if (!existsSync(file)) return;
  if (keepUpdate === undefined) {
    await rm(file, { force: true });
    return;
  }
  await filterJsonl(
    file,
    (point) => typeof point.update === 'number' && point.update <= keepUpdate,
    'the curve is damaged in the middle; remove it to re-evaluate the stage from its checkpoint.',
  );
}
