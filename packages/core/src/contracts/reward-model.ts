import type * as tf from '@tensorflow/tfjs';
import type { SpecificationVersion } from './common';
import type { TokenBatch } from './token-batch';
import type { Trainable } from './trainable';

/**
 * A scalar reward model: one score per sequence, read at its last valid token (the EOS of the response).
 * Implementations subtract their stored reward offset (docs/algorithm.md).
 */
export interface RewardModel extends Trainable<RewardModel> {
  readonly specificationVersion: SpecificationVersion;
  /** `[B]` scores, differentiable with respect to `trainableVariables()`. Caller owns the tensor. */
  score(batch: TokenBatch): tf.Tensor1D;
}

/**
 * A per-token value function (the PPO critic).
 * The value of response token `t` is read at sequence position `promptLength - 1 + t` (the logits' shift).
 */
export interface ValueModel extends Trainable<ValueModel> {
  readonly specificationVersion: SpecificationVersion;
  /** `[B, T_resp]` values, 0 at masked response positions; differentiable. Caller owns the tensor. */
  values(batch: TokenBatch): tf.Tensor2D;
}
