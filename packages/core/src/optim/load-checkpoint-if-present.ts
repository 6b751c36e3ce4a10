import { access } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_FILE,
  type CheckpointInfo,
  type LoadCheckpointOptions,
  loadCheckpoint,
} from './checkpoint';

/**
 * Resumes from `dir` when it holds a checkpoint: {@link loadCheckpoint} when `dir/checkpoint.json` exists, nothing
 * otherwise (a fresh run). The trainers call it once before their first step.
 * @param dir - the run's checkpoint folder; `undefined` (no folder) also returns `undefined`.
 * @returns the sidecar (`step`, `dataPosition`, `extra`), or `undefined` when there is no checkpoint.
 * @throws ShapeError / DataError when the checkpoint exists but does not match the variables.
 * @example
 * const info = await loadCheckpointIfPresent(options.checkpointDir, { variables, optimizer });
 * let step = info?.step ?? 0;
 */
export async function loadCheckpointIfPresent(
  dir: string | undefined,
  options: LoadCheckpointOptions,
): Promise<CheckpointInfo | undefined> {
  if (dir === undefined) return undefined;
  try {
    await access(join(dir, CHECKPOINT_FILE));
  } catch {
    return undefined;
  }
  return loadCheckpoint(dir, options);
}
