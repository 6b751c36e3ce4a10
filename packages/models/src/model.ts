/**
 * The decoder-only transformer: forward pass, LM head, scalar head, KV cache, variables.
 */
import {
  InvalidArgumentError,
  type NamedVariables,
  ShapeError,
  type Trainable,
  UnsupportedError,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { attentionBias } from './attention';
import { decoderLayer, type LayerContext, norm } from './blocks';
import type { ModelConfig } from './config';
import { initParam } from './init';
import { createKvCache, KvCache } from './kv-cache';
import { embeddingLookup, rotaryTables } from './layers';
import { lmHeadLogits } from './lm-head';
import { type ParamSpec, paramLayout } from './param-layout';
import { saveModel } from './save-model';

/** Token ids, mask or positions: a [B, T] tensor (int32 preferred) or nested arrays. */
export type IntMatrix = tf.Tensor2D | number[][];

/** Input of {@link TransformerModel.forward}. Inputs are never disposed. */
export interface ForwardInput {
  /** [B, T] token ids. Ids at masked positions are replaced by 0. */
  inputIds: IntMatrix;
  /** [B, T] 1 = real token, 0 = padding (default all ones). With a cache: the mask of the NEW tokens only. */
  attentionMask?: IntMatrix;
  /** [B, T] position ids (default `max(cumsum(mask) - 1, 0)`, offset by the cache's real-token count). */
  positionIds?: IntMatrix;
  /** Compute logits: `true` for every position, `{ start, end }` for positions [start, end), false (default) none. */
  logits?: boolean | { start: number; end: number };
  /** Cache of earlier tokens (an empty one from `createKvCache` to prefill). The output then holds a new cache. */
  cache?: KvCache;
}

/** Output of {@link TransformerModel.forward}; the caller owns (and disposes) every tensor and the cache. */
export interface ForwardOutput {
  /** [B, T, H] final hidden states (after the final norm). */
  hidden: tf.Tensor3D;
  /** [B, T', V] logits, when requested (T' = T or end - start). */
  logits?: tf.Tensor3D;
  /** Cache extended with these tokens, when a cache was given. */
  cache?: KvCache;
}

function intTensor(value: IntMatrix, name: string): tf.Tensor2D {
  if (Array.isArray(value)) return tf.tensor2d(value, undefined, 'int32');
  if (value.rank !== 2) throw new ShapeError(`\`${name}\` must be [B, T], got shape [${value.shape}]`);
  return value.dtype === 'int32' ? value : value.toInt();
}

/** Batches of at most this many ids are range-checked on the host (one read, no kernels). */
const HOST_ID_CHECK_MAX = 1 << 16;

/**
 * Throws when an id is outside [0, vocabSize): the one-hot lookup would silently embed it as zeros (and the gather
 * path's error depends on the backend). One read per forward: of the ids themselves when there are few (a decoding
 * step), else of their min and max.
 */
function checkIdRange(ids: tf.Tensor1D, vocabSize: number): void {
  if (ids.size === 0) return;
  let min: number;
  let max: number;
  if (ids.size <= HOST_ID_CHECK_MAX) {
    const values = ids.dataSync();
    min = max = values[0]!;
    for (let i = 1; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      else if (v > max) max = v;
    }
  } else {
    [min, max] = tf.tidy(() => tf.stack([ids.min(), ids.max()]).dataSync()) as unknown as [number, number];
  }
  if (min < 0 || max >= vocabSize) {
    throw new InvalidArgumentError(
      `inputIds holds token id ${min < 0 ? min : max}, outside the model's vocabulary [0, ${vocabSize}).`,
      {
        hint: 'The tokenizer and the model disagree: check vocab_size in config.json against the tokenizer.',
      },
    );
  }
}

/**
 * A decoder-only transformer (GPT-NeoX, GPT-2, Llama/Qwen2) whose weights are `tf.Variable`s named after Hugging
 * Face parameters. Create it with `createModel` or `loadModel`; the caller owns it and must `dispose()` it.
 */
export class TransformerModel implements Trainable<TransformerModel> {
  private specs: ParamSpec[];
  private trainableFlag: boolean;
  /** Internal keys of the weights `trainableVariables()` returns; undefined = all of them. */
  private trainableKeys: ReadonlySet<string> | undefined;

  /** @internal use `createModel` / `loadModel`. `params` are keyed by internal key and become owned by the model. */
  constructor(
    /** The normalised configuration. */
    readonly config: ModelConfig,
    private readonly params: Map<string, tf.Variable>,
    options: { trainable?: boolean; hfConfig?: Record<string, unknown> } = {},
  ) {
    this.specs = paramLayout(config, { lmHead: params.has('lm_head'), scoreHead: params.has('score') });
    this.trainableFlag = options.trainable ?? true;
    this.hfConfig = options.hfConfig;
    for (const v of params.values()) v.trainable = this.trainableFlag;
  }

  /** The `config.json` this model was loaded from (unknown keys are written back by `saveModel`). */
  readonly hfConfig?: Record<string, unknown>;

  /** True when the model can produce logits (tied embeddings or an LM head weight). */
  get hasLmHead(): boolean {
    return this.config.tieWordEmbeddings || this.params.has('lm_head');
  }

  /** True when the scalar `score.weight` head exists. */
  get hasScoreHead(): boolean {
    return this.params.has('score');
  }

  /** Whether `trainableVariables()` returns the weights (false for a frozen copy). */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(value: boolean) {
    this.trainableFlag = value;
    this.trainableKeys = undefined;
    for (const v of this.params.values()) v.trainable = value;
  }

  /**
   * Trains only the weights whose internal key `select` accepts (e.g. `(key) => key === 'score'` for a frozen
   * backbone with a trainable score head; keys as in {@link paramSpecs}: `embed`, `h0.qkv.w`, `ln_f.w`, `score`).
   * The others get no gradient and so no optimizer state. Makes the model trainable.
   * @returns the internal keys now trained.
   */
  setTrainableParams(select: (key: string) => boolean): string[] {
    const keys = this.specs.map((s) => s.key).filter(select);
    this.trainableFlag = true;
    this.trainableKeys = new Set(keys);
    for (const [key, v] of this.params) v.trainable = this.trainableKeys.has(key);
    return keys;
  }

  /** Parameter specs (Hugging Face names, shapes, layouts) in variable order. */
  paramSpecs(): readonly ParamSpec[] {
    return this.specs;
  }

  /** Every weight by Hugging Face name, in a fixed order. Internal layout: projections are `[in, out]`. */
  variables(): NamedVariables {
    const out: NamedVariables = {};
    for (const spec of this.specs) out[spec.hfName] = this.params.get(spec.key)!;
    return out;
  }

  /** {@link variables} when trainable (only those chosen by {@link setTrainableParams} if it was called), else `{}`. */
  trainableVariables(): NamedVariables {
    if (!this.trainableFlag) return {};
    const keys = this.trainableKeys;
    if (!keys) return this.variables();
    const out: NamedVariables = {};
    for (const spec of this.specs) if (keys.has(spec.key)) out[spec.hfName] = this.params.get(spec.key)!;
    return out;
  }

  /** The internal weight for a key (`h0.qkv.w`), or undefined. Not a copy: do not dispose. */
  weight(key: string): tf.Variable | undefined {
    return this.params.get(key);
  }

  /** Adds a score head (normal init, std 1/sqrt(H+1), seeded) if absent. */
  addScoreHead(options: { seed?: number } = {}): void {
    if (this.params.has('score')) return;
    const specs = paramLayout(this.config, { lmHead: this.params.has('lm_head'), scoreHead: true });
    const spec = specs[specs.length - 1];
    const init = initParam(spec, this.config, options.seed ?? 0);
    this.params.set(
      'score',
      tf.variable(init, this.trainableFlag && (this.trainableKeys?.has('score') ?? true)),
    );
    init.dispose();
    this.specs = specs;
  }

  /** An empty KV cache for `batchSize` sequences; see {@link KvCache}. */
  createKvCache(batchSize: number): KvCache {
    return createKvCache(batchSize);
  }

  /**
   * Runs the model. Masked ids are replaced by 0; positions default to `max(cumsum(mask) - 1, 0)` (left padding
   * works). With `cache`, `inputIds` are the new tokens and the output carries the extended cache.
   * Returned tensors are owned by the caller; inputs are not disposed.
   */
  forward(input: ForwardInput): ForwardOutput {
    const c = this.config;
    const cache = input.cache;
    const result = tf.tidy(() => {
      const ids = intTensor(input.inputIds, 'inputIds');
      const [B, T] = ids.shape;
      // Without a mask every token is real: the mask-dependent defaults below take shortcuts (fewer kernels per
      // decoding step, same values).
      const allReal = !input.attentionMask;
      const mask = input.attentionMask
        ? intTensor(input.attentionMask, 'attentionMask')
        : tf.ones([B, T], 'int32');
      if (mask.shape[0] !== B || mask.shape[1] !== T) {
        throw new ShapeError(`attentionMask shape [${mask.shape}] differs from inputIds [${ids.shape}]`);
      }
      if (cache && (cache.batchSize !== B || cache.isDisposed)) {
        throw new InvalidArgumentError(`cache is disposed or has batch ${cache.batchSize}, inputs have ${B}`);
      }
      const past = cache?.length ?? 0;
      if (c.positions === 'learned' && past + T > c.maxPositions) {
        throw new InvalidArgumentError(`sequence length ${past + T} exceeds max positions ${c.maxPositions}`);
      }
      const start = cache ? cache.nextPosition.reshape([B, 1]) : tf.scalar(0, 'int32');
      const positions = input.positionIds
        ? intTensor(input.positionIds, 'positionIds')
        : allReal && cache
          ? ((T === 1 ? start : start.add(tf.range(0, T, 1, 'int32').reshape([1, T]))) as tf.Tensor2D)
          : (tf.maximum(
              mask.cumsum(1).add(start).sub(tf.scalar(1, 'int32')),
              tf.scalar(0, 'int32'),
            ) as tf.Tensor2D);
      const flatIds = (allReal ? ids : ids.mul(mask)).reshape([B * T]) as tf.Tensor1D;
      checkIdRange(flatIds, c.vocabSize);
      let x = embeddingLookup(this.param('embed') as tf.Tensor2D, flatIds);
      if (c.positions === 'learned') {
        x = x.add(embeddingLookup(this.param('pos_embed') as tf.Tensor2D, positions.reshape([B * T])));
      }
      const newMask = allReal ? tf.ones([B, T]) : mask.toFloat();
      const keyMask = cache ? tf.concat([cache.mask, newMask], 1) : newMask;
      const ctx: LayerContext = {
        config: c,
        weight: (key) => this.params.get(key),
        batch: B,
        length: T,
        bias: attentionBias(keyMask as tf.Tensor2D, T),
        rotary:
          c.positions === 'rotary' && c.rotaryDim > 0
            ? rotaryTables(positions, c.headDim, c.rotaryDim, c.ropeTheta, c.ropeScaling)
            : undefined,
      };
      const keys: tf.Tensor4D[] = [];
      const values: tf.Tensor4D[] = [];
      for (let i = 0; i < c.numLayers; i++) {
        const pastKv = cache && past > 0 ? { keys: cache.keys[i], values: cache.values[i] } : undefined;
        const layer = decoderLayer(ctx, i, x, pastKv);
        x = layer.x;
        keys.push(layer.keys);
        values.push(layer.values);
      }
      const hidden = norm(ctx, 'ln_f', x).reshape([B, T, c.hiddenSize]) as tf.Tensor3D;
      const logits = this.logitsFor(hidden, input.logits);
      if (!cache) return { hidden, logits };
      const nextPosition = cache.nextPosition.add(
        allReal ? tf.scalar(T, 'int32') : mask.sum(1),
      ) as tf.Tensor1D;
      return { hidden, logits, keys, values, keyMask, nextPosition };
    });
    const out: ForwardOutput = { hidden: result.hidden };
    if (result.logits) out.logits = result.logits;
    if (cache) {
      const r = result as Required<typeof result>;
      out.cache = new KvCache(cache.batchSize, r.keys, r.values, r.keyMask as tf.Tensor2D, r.nextPosition);
    }
    return out;
  }

  private logitsFor(hidden: tf.Tensor3D, which: ForwardInput['logits']): tf.Tensor3D | undefined {
    if (!which) return undefined;
    if (which === true) return this.lmHeadLogits(hidden);
    const [B, T, H] = hidden.shape;
    const { start, end } = which;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= T)) {
      throw new InvalidArgumentError(`logits range [${start}, ${end}) is not within [0, ${T})`);
    }
    return this.lmHeadLogits(hidden.slice([0, start, 0], [B, end - start, H]));
  }

  /**
   * LM head: hidden [B, T, H] → logits [B, T, V], computed in vocabulary chunks when B·T·V is large (the product never
   * needs more than one chunk's temporaries). The caller owns the result.
   */
  lmHeadLogits(hidden: tf.Tensor3D): tf.Tensor3D {
    if (!this.hasLmHead) {
      throw new UnsupportedError('this model has no LM head (loaded without `embed_out`/`lm_head` weights)');
    }
    return tf.tidy(() => {
      const weight = this.config.tieWordEmbeddings ? this.param('embed').transpose() : this.param('lm_head');
      return lmHeadLogits(hidden, weight as tf.Tensor2D);
    });
  }

  /** Scalar head (`score.weight`, no bias) at every position: hidden [B, T, H] → [B, T]. Caller owns the result. */
  scoreHead(hidden: tf.Tensor3D): tf.Tensor2D {
    const score = this.params.get('score');
    if (!score) throw new UnsupportedError('this model has no score head; call addScoreHead() first');
    const [B, T, H] = hidden.shape;
    return tf.tidy(() =>
      tf.matMul(hidden.reshape([B * T, H]) as tf.Tensor2D, score as tf.Tensor2D).reshape([B, T]),
    );
  }

  private param(key: string): tf.Variable {
    const v = this.params.get(key);
    if (!v) throw new InvalidArgumentError(`missing weight \`${key}\``);
    return v;
  }

  private copy(trainable: boolean): TransformerModel {
    const params = new Map<string, tf.Variable>();
    for (const [key, v] of this.params) params.set(key, tf.variable(v, trainable));
    return new TransformerModel(this.config, params, { trainable, hfConfig: this.hfConfig });
  }

  /** A trainable deep copy (new variables). The caller owns it. */
  clone(): TransformerModel {
    return this.copy(true);
  }

  /** A frozen deep copy (`trainableVariables()` is empty). The caller owns it. */
  freeze(): TransformerModel {
    return this.copy(false);
  }

  /** Saves in the Hugging Face layout; see `saveModel`. */
  save(dir: string): Promise<void> {
    return saveModel(this, dir);
  }

  /** True once `dispose()` ran. */
  get isDisposed(): boolean {
    return [...this.params.values()].some((v) => v.isDisposed);
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}
