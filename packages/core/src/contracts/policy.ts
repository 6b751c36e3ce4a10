import type * as tf from '@tensorflow/tfjs';
import type { SpecificationVersion } from './common';
import type { TokenBatch } from './token-batch';
import type { Trainable } from './trainable';

/** How long sampled responses are. */
export type LengthMode =
  /** Exactly `maxNewTokens` tokens are generated; EOS does not stop generation; everything after the first EOS then
   * becomes padding (the paper's setting, used for pair sampling and PPO rollouts). */
  | 'fixed'
  /** Generation stops once every row has produced an EOS (at most `maxNewTokens`). */
  | 'stopAtEos';

/** Options of {@link Policy.sample}. */
export interface SampleOptions {
  /** Sampling temperature. 0 means argmax with no division. */
  temperature: number;
  /** Keep only the k most likely tokens. Never used for pair sampling or PPO rollouts. */
  topK?: number;
  /** Nucleus sampling mass. Never used for pair sampling or PPO rollouts. */
  topP?: number;
  /** Response positions to generate (T_resp of the returned batch). */
  maxNewTokens: number;
  /** Default `'fixed'`. */
  lengthMode?: LengthMode;
  /** Seed of the counter-based RNG (`rng(seed, stream, step)`). */
  seed: number;
  /** RNG stream, so independent calls with one seed draw independent numbers (default 0). */
  stream?: number;
  /** Rows sampled together (bounds memory). Implementation default. */
  microBatchSize?: number;
  /**
   * Sample only rows `[start, end)` of `prompts` (default: all). The result is exactly those rows of the whole
   * call's result — prompts padded to the longest of all of them, row `r` drawing row `r`'s random numbers, the
   * micro-batches counted from `start` — so one batch can be sampled in parts (e.g. in worker threads) with the same
   * numbers. In `'stopAtEos'` mode T_resp is the longest of these rows' responses. Check it with core's
   * `resolveRowRange`.
   */
  rows?: RowRange;
  signal?: AbortSignal;
}

/** Rows `[start, end)` of a batch. */
export interface RowRange {
  start: number;
  end: number;
}

/** What {@link Policy.sample} returns. Host arrays, owned by the caller. */
export interface SampleResult {
  /** Prompt (left-padded) + response; the response mask is 1 through the first EOS, 0 after. */
  batch: TokenBatch;
  /** Per response token log-prob under the sampling distribution (tempered), `[B, T_resp]`; 0 where masked. */
  logProbs: Float32Array;
  /** `[B]` sums of `logProbs` up to and including the first EOS. */
  logProbSums: Float64Array;
  /** `[B]` 1 when the row produced an EOS. */
  hasEos: Uint8Array;
}

/** Options of {@link Policy.logProbs}. */
export interface LogProbOptions {
  /** Logits are divided by it before the softmax (> 0). */
  temperature: number;
  /** Also return the per-token entropy of the tempered distribution. */
  withEntropy?: boolean;
}

/** Per response token log-probs (and optionally entropies). Tensors owned by the caller. */
export interface ResponseLogProbs {
  /** `[B, T_resp]`, 0 at masked positions. Differentiable with respect to the policy's variables. */
  logProbs: tf.Tensor2D;
  /** `[B, T_resp]` entropy of the tempered next-token distribution, 0 at masked positions. */
  entropy?: tf.Tensor2D;
}

/** Per response token statistics for WPO. Tensors owned by the caller. */
export interface TokenStats {
  /** `[B, T_resp]` log π(y_t), 0 at masked positions. */
  logProbs: tf.Tensor2D;
  /** `[B, T_resp]` log Σ_v π(v)², 0 at masked positions. */
  logSumSquares: tf.Tensor2D;
}

/**
 * A causal language model used as the RLHF policy (and, frozen, as the SFT and KL references).
 *
 * `logProbs` is THE function PPO, weighting and evaluation use: one full forward over `[B, T]`, logits only for the
 * response positions, differentiable when called under a gradient tape. Micro-batching for memory is the caller's
 * job (see `computeLogProbs` in `@ocrm/core` for the host-side, micro-batched variant).
 */
export interface Policy extends Trainable<Policy> {
  readonly specificationVersion: SpecificationVersion;
  readonly eosId: number;
  readonly padId: number;
  readonly vocabSize: number;
  /** Samples one response per prompt. Prompts are unpadded token ids. */
  sample(prompts: readonly ArrayLike<number>[], options: SampleOptions): Promise<SampleResult>;
  /** Per response token log-probs at `temperature` from one full forward. */
  logProbs(batch: TokenBatch, options: LogProbOptions): ResponseLogProbs;
  /** Per response token log-prob and `log Σ_v π(v)²` at temperature 1. */
  tokenStats(batch: TokenBatch): TokenStats;
}
