import * as tf from '@tensorflow/tfjs';
import { SPECIFICATION_VERSION } from '../../contracts/common';
import type { RewardModel, ValueModel } from '../../contracts/reward-model';
import type { TokenBatch } from '../../contracts/token-batch';
import type { NamedVariables } from '../../contracts/trainable';
import { InvalidArgumentError } from '../../errors';
import {
  checkBatch,
  initTinyWeights,
  responseMaskTensor,
  responseRows,
  type TinyShape,
  tinyHead,
  tinyHidden,
} from './tiny-network';
import { readTinyModelFile, TinyParams } from './tiny-params';

/** Options of {@link createTinyRewardModel} and {@link createTinyValueModel}. Every field has a default. */
export interface TinyScalarModelOptions {
  /** V (default 16). */
  vocabSize?: number;
  /** H (default 16). */
  hidden?: number;
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
  /** Maximum sequence length, prompt + response (default 64). */
  maxLength?: number;
  /** Reward offset subtracted from every score (default 0; docs/algorithm.md). */
  offset?: number;
}

/** Resolved configuration of a tiny scalar model (what `save` stores). */
export type TinyScalarModelConfig = Required<TinyScalarModelOptions>;

const HEAD = 'score';

function resolveOptions(options: TinyScalarModelOptions): TinyScalarModelConfig {
  const config = { vocabSize: 16, hidden: 16, seed: 0, maxLength: 64, offset: 0, ...options };
  for (const key of ['vocabSize', 'hidden', 'maxLength'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new InvalidArgumentError(
        `tiny scalar model: \`${key}\` must be a positive integer, got ${config[key]}.`,
      );
    }
  }
  if (!Number.isFinite(config.offset)) {
    throw new InvalidArgumentError(`tiny scalar model: \`offset\` must be finite, got ${config.offset}.`);
  }
  return config;
}

function scalarShape(config: TinyScalarModelConfig): TinyShape {
  return {
    vocabSize: config.vocabSize,
    hidden: config.hidden,
    maxLength: config.maxLength,
    outputs: 1,
    headBias: false,
  };
}

/**
 * A tiny, real, differentiable scalar-head model (the tiny policy's network with a bias-free `score.weight [H, 1]`
 * head, normal init with std 1/sqrt(H+1)), implementing both {@link RewardModel} and {@link ValueModel}:
 * - `score(batch)` `[B]`: the head at each row's LAST valid token, minus `offset`;
 * - `values(batch)` `[B, R]`: the head at position `promptLength - 1 + t` for response token t, 0 where masked.
 *
 * @example
 * const rm = createTinyRewardModel({ seed: 3 });
 * const scores = rm.score(batch); // tf.Tensor1D [B], caller disposes
 */
export function createTinyRewardModel(options: TinyScalarModelOptions = {}): TinyScalarModel {
  const config = resolveOptions(options);
  const weights = initTinyWeights(scalarShape(config), config.seed, HEAD, 1 / Math.sqrt(config.hidden + 1));
  return new TinyScalarModel(config, new TinyParams(weights, false));
}

/** Same model as {@link createTinyRewardModel}, for use as a PPO critic (`values`). */
export function createTinyValueModel(options: TinyScalarModelOptions = {}): TinyScalarModel {
  return createTinyRewardModel(options);
}

/** Loads a model saved by {@link TinyScalarModel.save} (trainable). */
export async function loadTinyScalarModel(dir: string): Promise<TinyScalarModel> {
  const file = await readTinyModelFile<TinyScalarModelConfig>(dir, 'scalar');
  return new TinyScalarModel(resolveOptions(file.config), new TinyParams(file.weights, false));
}

/** Alias of {@link loadTinyScalarModel}, for symmetry with {@link createTinyRewardModel}. */
export const loadTinyRewardModel = loadTinyScalarModel;
/** Alias of {@link loadTinyScalarModel}, for symmetry with {@link createTinyValueModel}. */
export const loadTinyValueModel = loadTinyScalarModel;

/** The model returned by {@link createTinyRewardModel} / {@link createTinyValueModel}. */
export class TinyScalarModel implements RewardModel, ValueModel {
  readonly specificationVersion = SPECIFICATION_VERSION;
  private readonly shape: TinyShape;

  constructor(
    readonly config: TinyScalarModelConfig,
    private readonly params: TinyParams,
  ) {
    this.shape = scalarShape(config);
  }

  /** True for a frozen copy (no trainable variables). */
  get frozen(): boolean {
    return this.params.frozen;
  }

  /**
   * `[B]` scores at each row's last valid token, minus the offset. Differentiable. Caller owns the tensor.
   * @throws InvalidArgumentError when a row has no valid token.
   */
  score(batch: TokenBatch): tf.Tensor1D {
    checkBatch(batch, this.shape, 'score');
    const { batchSize: B, seqLength: T } = batch;
    const pick = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      let last = -1;
      for (let t = 0; t < T; t++) if (batch.mask[b * T + t]) last = t;
      if (last < 0) throw new InvalidArgumentError(`score: row ${b} has no valid token.`);
      pick[b * T + last] = 1;
    }
    return tf.tidy(() => {
      const hidden = tinyHidden(this.params.all, batch, this.shape); // [B, T, H]
      const atLast = tf.sum(tf.mul(hidden, tf.tensor3d(pick, [B, T, 1])), 1) as tf.Tensor2D; // [B, H]
      const scores = tf.reshape(tinyHead(this.params.all, atLast, HEAD), [B]) as tf.Tensor1D;
      return this.config.offset === 0 ? scores : (tf.sub(scores, this.config.offset) as tf.Tensor1D);
    });
  }

  /** `[B, R]` values at positions `promptLength - 1 + t`, 0 where masked. Differentiable. Caller owns the tensor. */
  values(batch: TokenBatch): tf.Tensor2D {
    checkBatch(batch, this.shape, 'values');
    return tf.tidy(() => {
      const { batchSize: B, seqLength: T, promptLength: P } = batch;
      const hidden = tinyHidden(this.params.all, batch, this.shape);
      const v = tf.reshape(tinyHead(this.params.all, responseRows(hidden, batch), HEAD), [B, T - P]);
      return tf.mul(v, responseMaskTensor(batch)) as tf.Tensor2D;
    });
  }

  trainableVariables(): NamedVariables {
    return this.params.trainable();
  }

  async save(dir: string): Promise<void> {
    await this.params.save(dir, 'scalar', this.config);
  }

  clone(): TinyScalarModel {
    return new TinyScalarModel(this.config, this.params.copy(false));
  }

  freeze(): TinyScalarModel {
    return new TinyScalarModel(this.config, this.params.copy(true));
  }

  /** A copy with a different reward offset (shares nothing mutable). */
  withOffset(offset: number): TinyScalarModel {
    return new TinyScalarModel(resolveOptions({ ...this.config, offset }), this.params.copy(this.frozen));
  }

  dispose(): void {
    this.params.dispose();
  }
}
