import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '../../contracts/trainable';
import { DataError, InvalidArgumentError } from '../../errors';
import { readJson, writeJsonAtomic } from '../../run-io/atomic';

/** File a tiny model is saved to (JSON: config + weights as number arrays; exact float32 round trip). */
export const TINY_MODEL_FILE = 'tiny-model.json';

/** Saved form of a tiny model. */
export interface TinyModelFile<C> {
  format: 'ocrm-tiny-model';
  version: 1;
  kind: 'policy' | 'scalar';
  config: C;
  weights: Record<string, { shape: number[]; data: number[] }>;
}

/**
 * The variables of a tiny model, by stable name, and what every tiny model does with them: list (empty when frozen),
 * deep-copy, save, dispose.
 */
export class TinyParams {
  private vars: Record<string, tf.Variable> | undefined;

  constructor(
    weights: Record<string, { shape: number[]; data: Float32Array | number[] } | tf.Tensor>,
    readonly frozen: boolean,
  ) {
    const vars: Record<string, tf.Variable> = {};
    for (const [name, w] of Object.entries(weights)) {
      // tf.variable(tensor) shares the (immutable) buffer until the first assign, which swaps in a new buffer:
      // a copy never sees the original's updates and vice versa.
      vars[name] =
        w instanceof tf.Tensor
          ? tf.variable(w, !frozen)
          : tf.tidy(() => tf.variable(tf.tensor(w.data, w.shape, 'float32'), !frozen));
    }
    this.vars = vars;
  }

  /** All variables (also when frozen), for the forward pass. @throws when disposed. */
  get all(): Record<string, tf.Variable> {
    if (!this.vars)
      throw new InvalidArgumentError('This tiny model was disposed; create or clone a new one.');
    return this.vars;
  }

  /** Trainable variables by name, in a fixed order; `{}` when frozen. */
  trainable(): NamedVariables {
    return this.frozen ? {} : { ...this.all };
  }

  /** A deep copy (new variables). */
  copy(frozen: boolean): TinyParams {
    return new TinyParams(this.all, frozen);
  }

  /** Writes `tiny-model.json` atomically. */
  async save<C>(dir: string, kind: TinyModelFile<C>['kind'], config: C): Promise<void> {
    const weights: TinyModelFile<C>['weights'] = {};
    for (const [name, v] of Object.entries(this.all)) {
      weights[name] = { shape: v.shape, data: Array.from(await v.data()) };
    }
    const file: TinyModelFile<C> = { format: 'ocrm-tiny-model', version: 1, kind, config, weights };
    await writeJsonAtomic(join(dir, TINY_MODEL_FILE), file);
  }

  dispose(): void {
    if (!this.vars) return;
    for (const v of Object.values(this.vars)) v.dispose();
    this.vars = undefined;
  }

  get disposed(): boolean {
    return this.vars === undefined;
  }
}

/** Reads a saved tiny model of the given kind. @throws DataError when the file is not one. */
export async function readTinyModelFile<C>(
  dir: string,
  kind: TinyModelFile<C>['kind'],
): Promise<TinyModelFile<C>> {
  const path = join(dir, TINY_MODEL_FILE);
  const file = await readJson<TinyModelFile<C>>(path);
  if (file?.format !== 'ocrm-tiny-model' || file.kind !== kind) {
    throw new DataError(`not a tiny ${kind} model file`, { file: path, field: 'kind' });
  }
  return file;
}
