import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '../contracts/trainable';
import { DataError, InvalidArgumentError, NotFoundError, ShapeError } from '../errors';
import { readJson, writeJsonAtomic } from '../run-io/atomic';
import { readSafetensors } from '../safetensors/read';
import { type SafetensorsInput, writeSafetensors } from '../safetensors/write';
import type { AdamW, AdamWMoments } from './adamw';

/** The sidecar written LAST: a checkpoint exists once this file does. */
export const CHECKPOINT_FILE = 'checkpoint.json';
/** Format tag of `checkpoint.json`. */
export const CHECKPOINT_FORMAT = 'ocrm-checkpoint-v1';

const PARAM = 'param/';
const MOMENT_M = 'adamw.m/';
const MOMENT_V = 'adamw.v/';

/** What {@link saveCheckpoint} stores. */
export interface SaveCheckpointOptions {
  /** Weights by stable name (read, not modified). */
  variables: NamedVariables;
  /** Its moments and step counts are stored too (omit for weights only). */
  optimizer?: AdamW;
  /** Optimizer steps taken (the schedule's step at resume). */
  step: number;
  /** Where the data stream resumes (e.g. examples consumed). */
  dataPosition: number;
  /** Anything else JSON-serialisable (config hash, metrics). */
  extra?: Record<string, unknown>;
}

/** Contents of `checkpoint.json`. */
export interface CheckpointInfo {
  format: typeof CHECKPOINT_FORMAT;
  /** Safetensors file (beside the sidecar) holding `param/<name>`, `adamw.m/<name>`, `adamw.v/<name>`. */
  tensorsFile: string;
  step: number;
  dataPosition: number;
  /** `AdamW.stepCount` and per-variable step counts; absent without an optimizer. */
  optimizer?: { step: number; variableSteps: Record<string, number>; config: Record<string, number> };
  extra: Record<string, unknown>;
  savedAt: string;
}

/**
 * Saves weights, optimizer moments, step and data position to `dir`, crash-safe: the tensors go to a new
 * `state-<step>-<time>.safetensors` (temp + rename), then `checkpoint.json` (naming that file) is written atomically
 * LAST, then older state files are removed. A crash at any point leaves the previous checkpoint loadable.
 */
export async function saveCheckpoint(dir: string, options: SaveCheckpointOptions): Promise<CheckpointInfo> {
  const { variables, optimizer, step, dataPosition } = options;
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new InvalidArgumentError(`saveCheckpoint: step must be an integer ≥ 0, got ${step}.`);
  }
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [name, variable] of Object.entries(variables)) {
    if (variable.dtype !== 'float32') {
      throw new InvalidArgumentError(
        `saveCheckpoint: variable \`${name}\` is ${variable.dtype}; only float32 is stored.`,
      );
    }
    tensors[`${PARAM}${name}`] = {
      dtype: 'F32',
      shape: variable.shape,
      data: (await variable.data()) as Float32Array,
    };
  }
  const state = optimizer?.getState();
  for (const [name, moments] of Object.entries(state?.moments ?? {})) {
    tensors[`${MOMENT_M}${name}`] = { dtype: 'F32', shape: moments.shape, data: moments.m };
    tensors[`${MOMENT_V}${name}`] = { dtype: 'F32', shape: moments.shape, data: moments.v };
  }
  const tensorsFile = `state-${step}-${Date.now().toString(36)}.safetensors`;
  await mkdir(dir, { recursive: true });
  await writeSafetensors(join(dir, tensorsFile), tensors, { format: CHECKPOINT_FORMAT });
  const info: CheckpointInfo = {
    format: CHECKPOINT_FORMAT,
    tensorsFile,
    step,
    dataPosition,
    ...(state && optimizer
      ? {
          optimizer: {
            step: state.step,
            variableSteps: Object.fromEntries(Object.entries(state.moments).map(([n, m]) => [n, m.step])),
            config: { ...optimizer.config },
          },
        }
      : {}),
    extra: options.extra ?? {},
    savedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(join(dir, CHECKPOINT_FILE), info);
  for (const file of await readdir(dir)) {
    if (file !== tensorsFile && /^state-.*\.safetensors$/.test(file))
      await rm(join(dir, file), { force: true });
  }
  return info;
}

/** Where {@link loadCheckpoint} restores into. */
export interface LoadCheckpointOptions {
  /** Receive the stored weights (`assign`); every name must be in the checkpoint with the same shape. */
  variables: NamedVariables;
  /** Receives the stored moments and step counts (its current state is replaced). */
  optimizer?: AdamW;
}

/**
 * Restores a checkpoint written by {@link saveCheckpoint} into existing variables (and optimizer).
 * @returns the sidecar (`step`, `dataPosition`, `extra`) to resume the schedule and the data stream.
 * @throws NotFoundError when `dir` holds no `checkpoint.json`; ShapeError / DataError on mismatching contents.
 */
export async function loadCheckpoint(dir: string, options: LoadCheckpointOptions): Promise<CheckpointInfo> {
  const info = await readJson<CheckpointInfo>(join(dir, CHECKPOINT_FILE));
  if (info.format !== CHECKPOINT_FORMAT) {
    throw new DataError(`unknown checkpoint format ${JSON.stringify(info.format)}`, {
      file: join(dir, CHECKPOINT_FILE),
      field: 'format',
    });
  }
  const stored = await readSafetensors(join(dir, info.tensorsFile));
  const updates: [tf.Variable, Float32Array][] = [];
  for (const [name, variable] of Object.entries(options.variables)) {
    const tensor = stored[`${PARAM}${name}`];
    if (!tensor) throw new NotFoundError(`checkpoint ${dir} has no weights for \`${name}\`.`);
    if (!tf.util.arraysEqual(tensor.shape, variable.shape)) {
      throw new ShapeError(
        `checkpoint weight \`${name}\` is [${tensor.shape}], the variable is [${variable.shape}].`,
      );
    }
    updates.push([variable, tensor.data as Float32Array]);
  }
  for (const [variable, data] of updates) {
    tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, 'float32')));
  }
  if (options.optimizer) {
    if (!info.optimizer) throw new NotFoundError(`checkpoint ${dir} holds no optimizer state.`);
    const moments: Record<string, AdamWMoments> = {};
    for (const [name, step] of Object.entries(info.optimizer.variableSteps)) {
      const m = stored[`${MOMENT_M}${name}`];
      const v = stored[`${MOMENT_V}${name}`];
      if (!m || !v) throw new DataError(`moments of \`${name}\` are missing`, { file: info.tensorsFile });
      moments[name] = { shape: m.shape, m: m.data as Float32Array, v: v.data as Float32Array, step };
    }
    options.optimizer.setState({ step: info.optimizer.step, moments });
  }
  return info;
}
