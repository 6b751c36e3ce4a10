import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  batchTensors,
  InvalidArgumentError,
  type ModuleRef,
  type NamedVariables,
  NotFoundError,
  type RewardModel,
  readJson,
  responseMask,
  SPECIFICATION_VERSION,
  type TokenBatch,
  type ValueModel,
} from '@ocrm/core';
import { loadModel, modelReplicaSpec, saveModel, TransformerModel } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { FeatureCache } from './feature-cache';
import { lastValidIndex } from './last-valid-index';
import { type RewardModelTrainable, trainableSelector } from './trainable-params';

/** `config.json` key holding the reward offset (the mean reward of the reference responses). */
export const REWARD_OFFSET_KEY = 'ocrm_reward_offset';

/** Options of {@link ScalarRewardModel.fromBackbone}. */
export interface FromBackboneOptions {
  /** Seed of the score head's initialisation (normal, std 1/sqrt(H+1)). Default 0. */
  seed?: number;
  /**
   * Which weights train (default `'all'`, the official choice); see {@link RewardModelTrainable}. With `'head'` the
   * frozen backbone's last-token features are cached per distinct response (`score` then costs one `[B, H]·[H]`
   * product once every response has been seen).
   */
  trainable?: RewardModelTrainable;
  /**
   * With `trainable: 'head'`: a cache to share between reward models on the same frozen backbone (e.g. the arms of
   * a study, all from one SFT model), so each response's features are computed once for all of them. It must come
   * from the same backbone weights. Default: a cache of this model's own.
   */
  featureCache?: FeatureCache;
}

/** Options of {@link ScalarRewardModel.load}. */
export interface LoadRewardModelOptions {
  /** Load frozen (no trainable variables). Default false. */
  frozen?: boolean;
}

/**
 * A transformer backbone with a bias-free scalar head (`score.weight`) as the reward model AND the PPO critic:
 * - `score(batch)`: the head at each row's last valid token (the EOS of the response) minus the stored reward
 *   offset, `[B]`;
 * - `values(batch)`: the head at position `promptLength - 1 + t` for response token t minus the same reward offset,
 *   0 at masked positions, `[B, T_resp]`. A critic initialised from the RM thus starts on the scale of the centred
 *   rewards, as in the reference implementation (there the centring is the head's bias, which the value model
 *   copies); without it every value is off by the offset at the start of PPO and, since the terminal value is 0,
 *   the GAE advantages carry a position-dependent bias of `offset · λ^(T−1−t)` that a small learning rate takes
 *   thousands of steps to remove;
 * never materialising logits. Saved in the transformers `*ForSequenceClassification` layout with the offset in
 * `config.json` (`ocrm_reward_offset`). The instance owns its model: `dispose()` frees it.
 *
 * @example
 * const rm = await ScalarRewardModel.fromBackbone('runs/x/sft', { seed: 1 });
 * const scores = rm.score(batch); // [B], caller disposes
 */
export class ScalarRewardModel implements RewardModel, ValueModel {
  readonly specificationVersion = SPECIFICATION_VERSION;
  private offset: number;
  private features: FeatureCache | undefined;

  private constructor(
    /** The backbone with its score head (owned). */
    readonly model: TransformerModel,
    rewardOffset = 0,
  ) {
    if (!model.hasScoreHead)
      throw new InvalidArgumentError('ScalarRewardModel needs a model with a score head.');
    this.offset = checkOffset(rewardOffset);
  }

  /** Wraps a model that has a score head (e.g. `createModel(config, { seed, scoreHead: true })`); takes ownership. */
  static fromModel(model: TransformerModel, options: { rewardOffset?: number } = {}): ScalarRewardModel {
    return new ScalarRewardModel(model, options.rewardOffset ?? 0);
  }

  /**
   * A new reward model from a backbone: a saved SFT folder (its LM head is not loaded) or a model (its weights are
   * copied, without the LM head; the argument stays the caller's), plus a fresh score head.
   */
  static async fromBackbone(
    source: string | TransformerModel,
    options: FromBackboneOptions = {},
  ): Promise<ScalarRewardModel> {
    const seed = options.seed ?? 0;
    const trainable = options.trainable ?? 'all';
    if (typeof source === 'string') {
      const model = await loadModel(source, { lmHead: false, scoreHead: true, seed });
      return ScalarRewardModel.withTrainable(model, trainable, options.featureCache);
    }
    const params = new Map<string, tf.Variable>();
    for (const spec of source.paramSpecs()) {
      if (spec.key === 'lm_head' || spec.key === 'score') continue;
      params.set(spec.key, tf.variable(source.weight(spec.key)!, true));
    }
    const model = new TransformerModel(source.config, params, { trainable: true, hfConfig: source.hfConfig });
    model.addScoreHead({ seed });
    return ScalarRewardModel.withTrainable(model, trainable, options.featureCache);
  }

  private static withTrainable(
    model: TransformerModel,
    trainable: RewardModelTrainable,
    shared?: FeatureCache,
  ): ScalarRewardModel {
    const select = trainableSelector(trainable, model.config.numLayers);
    if (trainable !== 'all') model.setTrainableParams(select);
    const rm = new ScalarRewardModel(model);
    if (trainable === 'head') {
      if (shared && shared.size !== model.config.hiddenSize) {
        model.dispose();
        throw new InvalidArgumentError(
          `featureCache holds ${shared.size}-wide features, the model's are ${model.config.hiddenSize}.`,
        );
      }
      rm.features = shared ?? new FeatureCache(model.config.hiddenSize);
    }
    return rm;
  }

  /**
   * The frozen backbone's last-token features per distinct response when the head alone trains (else undefined): to
   * save, or to fill with rows computed before on the same backbone.
   */
  get featureCache(): FeatureCache | undefined {
    return this.features;
  }

  /** Distinct responses whose frozen-backbone features are cached (0 unless the head alone trains). */
  get cachedFeatures(): number {
    return this.features?.count ?? 0;
  }

  /**
   * `[B, H]` final hidden state (after the final norm) at each row's last valid token; zeros for an all-padding row.
   * Caller owns the tensor.
   */
  lastTokenFeatures(batch: TokenBatch): tf.Tensor2D {
    const { batchSize: B, seqLength: T } = batch;
    const H = this.model.config.hiddenSize;
    const last = lastValidIndex(batch);
    return tf.tidy(() => {
      const { ids, mask, positions } = batchTensors(batch);
      const { hidden } = this.model.forward({ inputIds: ids, attentionMask: mask, positionIds: positions });
      const rows = tf.tensor1d(
        Array.from(last, (t, b) => b * T + Math.max(t, 0)),
        'int32',
      );
      const picked = tf.gather(hidden.reshape([B * T, H]), rows) as tf.Tensor2D;
      const valid = tf.tensor2d(
        Array.from(last, (t) => (t >= 0 ? 1 : 0)),
        [B, 1],
      );
      return tf.mul(picked, valid) as tf.Tensor2D;
    });
  }

  /**
   * Loads a sequence-classification checkpoint (this package's `save`, or transformers') with its reward offset.
   * @throws NotFoundError when the folder has no `score.weight` (use {@link ScalarRewardModel.fromBackbone}).
   */
  static async load(dir: string, options: LoadRewardModelOptions = {}): Promise<ScalarRewardModel> {
    const model = await loadModel(dir, { lmHead: false, trainable: !options.frozen });
    if (!model.hasScoreHead) {
      model.dispose();
      throw new NotFoundError(`${dir} holds no score.weight.`, {
        hint: 'to start a reward model from an SFT model use ScalarRewardModel.fromBackbone(dir).',
      });
    }
    const json = await readJson<Record<string, unknown>>(join(dir, 'config.json'));
    const offset = json[REWARD_OFFSET_KEY];
    return new ScalarRewardModel(model, typeof offset === 'number' ? offset : 0);
  }

  /** Subtracted from every score (reward centring). */
  get rewardOffset(): number {
    return this.offset;
  }

  set rewardOffset(value: number) {
    this.offset = checkOffset(value);
  }

  /** Raw head outputs at every position, `[B, T]` (no offset). Caller owns the tensor. */
  positionScores(batch: TokenBatch): tf.Tensor2D {
    return tf.tidy(() => {
      const { ids, mask, positions } = batchTensors(batch);
      const { hidden } = this.model.forward({ inputIds: ids, attentionMask: mask, positionIds: positions });
      return this.model.scoreHead(hidden);
    });
  }

  /** `[B]` scores at each row's last valid token, minus the reward offset. A row without tokens scores `-offset`. */
  score(batch: TokenBatch): tf.Tensor1D {
    const { batchSize: B, seqLength: T } = batch;
    const cache = this.features;
    if (cache) {
      const head = this.model.weight('score')!;
      return tf.tidy(() => {
        const features = cache.features(batch, (missing) => this.lastTokenFeatures(missing));
        const picked = tf.matMul(features, head as tf.Tensor2D).reshape([B]);
        return (this.offset === 0 ? picked : tf.sub(picked, this.offset)) as tf.Tensor1D;
      });
    }
    const last = lastValidIndex(batch);
    const pick = new Float32Array(B * T);
    last.forEach((t, b) => {
      if (t >= 0) pick[b * T + t] = 1;
    });
    return tf.tidy(() => {
      const picked = tf.sum(tf.mul(this.positionScores(batch), tf.tensor2d(pick, [B, T])), 1);
      return (this.offset === 0 ? picked : tf.sub(picked, this.offset)) as tf.Tensor1D;
    });
  }

  /**
   * `[B, T_resp]` values: response token t's head output at position `promptLength - 1 + t` minus the reward offset
   * (the critic's scale is the centred reward's); 0 where masked.
   */
  values(batch: TokenBatch): tf.Tensor2D {
    const { batchSize: B, seqLength: T, promptLength: P } = batch;
    const R = T - P;
    if (R === 0) return tf.zeros([B, 0]);
    if (P < 1) throw new InvalidArgumentError('values: the batch needs at least one prompt position.');
    return tf.tidy(() => {
      const all = this.positionScores(batch);
      const raw = tf.slice(all, [0, P - 1], [B, R]);
      const shifted = this.offset === 0 ? raw : tf.sub(raw, this.offset);
      const mask = tf.tensor2d(responseMask(batch), [B, R], 'bool');
      return tf.where(mask, shifted, tf.zerosLike(shifted)) as tf.Tensor2D;
    });
  }

  trainableVariables(): NamedVariables {
    return this.model.trainableVariables();
  }

  /**
   * Saves `config.json` (architecture `*ForSequenceClassification`, `num_labels` 1, `pad_token_id`, the reward offset
   * as `ocrm_reward_offset`) and `model.safetensors` (`score.weight` [1, H], no LM head).
   */
  async save(dir: string): Promise<void> {
    const pad = this.model.config.padTokenId;
    await saveModel(this.model, dir, {
      head: 'sequence-classification',
      extraConfig: {
        [REWARD_OFFSET_KEY]: this.offset,
        pad_token_id: pad ?? firstId(this.model.config.eosTokenId) ?? 0,
      },
    });
  }

  clone(): ScalarRewardModel {
    return new ScalarRewardModel(this.model.clone(), this.offset);
  }

  freeze(): ScalarRewardModel {
    return new ScalarRewardModel(this.model.freeze(), this.offset);
  }

  /**
   * The recipe of a copy in a worker thread (`createScalarRewardModelReplica` of `@ocrm/reward-model/replica`), for
   * data-parallel trainers (PPO's critic and its reward model): the architecture, and the values of the weights that
   * do not train (copies, taken now; a frozen reward model travels whole). Undefined with a feature cache (the copy
   * would need the cache too).
   */
  replica(): ModuleRef | undefined {
    if (this.features) return undefined;
    return {
      module: createRequire(import.meta.url).resolve('@ocrm/reward-model/replica'),
      export: 'createScalarRewardModelReplica',
      options: { model: modelReplicaSpec(this.model, { frozenValues: true }), rewardOffset: this.offset },
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}

function firstId(value: number | number[] | null): number | undefined {
  return Array.isArray(value) ? value[0] : (value ?? undefined);
}

function checkOffset(value: number): number {
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`reward offset must be finite, got ${value}.`);
  return value;
}
