import * as tf from '@tensorflow/tfjs';
import { SPECIFICATION_VERSION } from '../../contracts/common';
import type {
  LogProbOptions,
  Policy,
  ResponseLogProbs,
  SampleOptions,
  SampleResult,
  TokenStats,
} from '../../contracts/policy';
import type { TokenBatch } from '../../contracts/token-batch';
import type { NamedVariables } from '../../contracts/trainable';
import { InvalidArgumentError } from '../../errors';
import { runSampling } from '../sampling';
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

/** Options of {@link createTinyPolicy}. Every field has a default. */
export interface TinyPolicyOptions {
  /** V (default 16). */
  vocabSize?: number;
  /** H (default 16). */
  hidden?: number;
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
  /** EOS id (default 1). */
  eosId?: number;
  /** PAD id stored at padded positions (default 0, a real vocabulary entry: only the mask tells padding apart). */
  padId?: number;
  /** Maximum sequence length, prompt + response (default 64). */
  maxLength?: number;
}

/** Resolved configuration of a tiny policy (what `save` stores). */
export type TinyPolicyConfig = Required<TinyPolicyOptions>;

const HEAD = 'lm_head';

function resolveTinyPolicyOptions(options: TinyPolicyOptions): TinyPolicyConfig {
  const config = { vocabSize: 16, hidden: 16, seed: 0, eosId: 1, padId: 0, maxLength: 64, ...options };
  for (const key of ['vocabSize', 'hidden', 'maxLength'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new InvalidArgumentError(
        `createTinyPolicy: \`${key}\` must be a positive integer, got ${config[key]}.`,
      );
    }
  }
  if (!Number.isInteger(config.eosId) || config.eosId < 0 || config.eosId >= config.vocabSize) {
    throw new InvalidArgumentError(
      `createTinyPolicy: \`eosId\` must be in [0, vocabSize), got ${config.eosId}.`,
    );
  }
  if (!Number.isInteger(config.padId) || config.padId < 0) {
    throw new InvalidArgumentError(
      `createTinyPolicy: \`padId\` must be a non-negative integer, got ${config.padId}.`,
    );
  }
  return config;
}

/**
 * A tiny, real, differentiable autoregressive language model implementing the whole {@link Policy} contract
 * (network: see `tiny-network.ts`; ~1.4k parameters at the defaults). Seeded: the same options give the same
 * weights. For tests of PPO, weighting, DPO, evaluation: fast on cpu and wasm.
 *
 * Variables (stable names): `embed_tokens.weight [V,H]`, `embed_positions.weight [L,H]`, `hidden.input.weight [H,H]`,
 * `hidden.context.weight [H,H]`, `hidden.bias [H]`, `lm_head.weight [H,V]`, `lm_head.bias [V]`.
 *
 * Sampling draws row i from `rng(seed, stream, i)`; the recorded log-probs are those of the distribution actually
 * sampled (tempered, truncated by topK/topP); at temperature 0 (argmax) they are the temperature-1 log-probs.
 *
 * @example
 * const policy = createTinyPolicy({ seed: 1 });
 * const { batch, logProbs } = await policy.sample([[2, 3]], { temperature: 1, maxNewTokens: 8, seed: 0 });
 * policy.dispose();
 */
export function createTinyPolicy(options: TinyPolicyOptions = {}): TinyPolicy {
  const config = resolveTinyPolicyOptions(options);
  const shape = policyShape(config);
  const weights = initTinyWeights(shape, config.seed, HEAD, 1.5 / Math.sqrt(config.hidden));
  return new TinyPolicy(config, new TinyParams(weights, false));
}

/** Loads a policy saved by {@link TinyPolicy.save} (trainable). */
export async function loadTinyPolicy(dir: string): Promise<TinyPolicy> {
  const file = await readTinyModelFile<TinyPolicyConfig>(dir, 'policy');
  return new TinyPolicy(resolveTinyPolicyOptions(file.config), new TinyParams(file.weights, false));
}

function policyShape(config: TinyPolicyConfig): TinyShape {
  return {
    vocabSize: config.vocabSize,
    hidden: config.hidden,
    maxLength: config.maxLength,
    outputs: config.vocabSize,
    headBias: true,
  };
}

/** The policy returned by {@link createTinyPolicy}. */
export class TinyPolicy implements Policy {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly eosId: number;
  readonly padId: number;
  readonly vocabSize: number;
  private readonly shape: TinyShape;

  constructor(
    readonly config: TinyPolicyConfig,
    private readonly params: TinyParams,
  ) {
    this.eosId = config.eosId;
    this.padId = config.padId;
    this.vocabSize = config.vocabSize;
    this.shape = policyShape(config);
  }

  /** True for a frozen copy (no trainable variables). */
  get frozen(): boolean {
    return this.params.frozen;
  }

  /** Logits `[B, R, V]` at the positions predicting response tokens (call inside tidy). */
  private responseLogits(batch: TokenBatch, what: string): tf.Tensor2D {
    checkBatch(batch, this.shape, what);
    const hidden = tinyHidden(this.params.all, batch, this.shape);
    return tinyHead(this.params.all, responseRows(hidden, batch), HEAD); // [B·R, V]
  }

  /** See {@link Policy.sample}. Host arrays out; no tensors survive. */
  async sample(prompts: readonly ArrayLike<number>[], options: SampleOptions): Promise<SampleResult> {
    void this.params.all; // throws when disposed
    const spec = {
      vocabSize: this.vocabSize,
      eosId: this.eosId,
      padId: this.padId,
      maxLength: this.config.maxLength,
    };
    return runSampling(prompts, options, spec, (batch) => {
      const logits = tf.tidy(() => {
        checkBatch(batch, this.shape, 'sample');
        const { batchSize: B, seqLength: T } = batch;
        const H = this.shape.hidden;
        const hidden = tinyHidden(this.params.all, batch, this.shape);
        const last = tf.reshape(tf.slice(hidden, [0, T - 1, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
        return tinyHead(this.params.all, last, HEAD); // [B, V]
      });
      const data = logits.dataSync() as Float32Array;
      logits.dispose();
      return data;
    });
  }

  /**
   * Per response token log-probs `[B, R]` at `temperature` (0 at masked positions), and with `withEntropy` the
   * entropy `[B, R]` of the tempered distribution. One full forward; differentiable. Caller owns the tensors.
   */
  logProbs(batch: TokenBatch, options: LogProbOptions): ResponseLogProbs {
    const { temperature } = options;
    if (!(temperature > 0) || !Number.isFinite(temperature)) {
      throw new InvalidArgumentError(
        `logProbs: \`temperature\` must be a finite number > 0, got ${temperature}.`,
      );
    }
    return tf.tidy(() => {
      const { batchSize: B, seqLength: T, promptLength: P } = batch;
      const R = T - P;
      const logits = this.responseLogits(batch, 'logProbs');
      const logp = tf.logSoftmax(temperature === 1 ? logits : tf.div(logits, temperature)); // [B·R, V]
      const mask = responseMaskTensor(batch);
      const targets = responseTargets(batch, this.vocabSize);
      const logProbs = tf.mul(tf.reshape(tf.sum(tf.mul(logp, targets), 1), [B, R]), mask) as tf.Tensor2D;
      if (!options.withEntropy) return { logProbs };
      const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
      return { logProbs, entropy: tf.mul(tf.reshape(entropy, [B, R]), mask) as tf.Tensor2D };
    });
  }

  /** `log π(y_t)` and `log Σ_v π(v)²` `[B, R]` at temperature 1, 0 at masked positions. Caller owns the tensors. */
  tokenStats(batch: TokenBatch): TokenStats {
    return tf.tidy(() => {
      const { batchSize: B, seqLength: T, promptLength: P } = batch;
      const R = T - P;
      const logp = tf.logSoftmax(this.responseLogits(batch, 'tokenStats'));
      const mask = responseMaskTensor(batch);
      const targets = responseTargets(batch, this.vocabSize);
      const logProbs = tf.mul(tf.reshape(tf.sum(tf.mul(logp, targets), 1), [B, R]), mask) as tf.Tensor2D;
      const lss = tf.reshape(tf.logSumExp(tf.mul(logp, 2), 1), [B, R]);
      return { logProbs, logSumSquares: tf.mul(lss, mask) as tf.Tensor2D };
    });
  }

  trainableVariables(): NamedVariables {
    return this.params.trainable();
  }

  async save(dir: string): Promise<void> {
    await this.params.save(dir, 'policy', this.config);
  }

  clone(): TinyPolicy {
    return new TinyPolicy(this.config, this.params.copy(false));
  }

  freeze(): TinyPolicy {
    return new TinyPolicy(this.config, this.params.copy(true));
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** One-hot `[B·R, V]` of the response ids (masked positions → all zeros). */
function responseTargets(batch: TokenBatch, V: number): tf.Tensor2D {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  const R = T - P;
  const onehot = new Float32Array(B * R * V);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < R; t++) {
      const i = b * T + P + t;
      if (batch.mask[i]) onehot[(b * R + t) * V + (batch.ids[i] as number)] = 1;
    }
  }
  return tf.tensor2d(onehot, [B * R, V]);
}
