import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';

/**
 * Entropy of `softmax(logits / temperature)` over the last axis: `H = logsumexp(z) − Σ_v softmax(z)_v · z_v` with
 * `z = logits / τ`. Differentiable.
 * @param logits - `[B, T, V]` (any rank ≥ 1).
 * @returns a new tensor `[B, T]`; the caller disposes it.
 */
export function entropyFromLogits(logits: tf.Tensor, temperature = 1): tf.Tensor {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError(`entropyFromLogits: temperature must be > 0, got ${temperature}.`);
  }
  return tf.tidy(() => {
    const z = temperature === 1 ? logits : tf.div(logits, temperature);
    const lse = tf.logSumExp(z, -1, true);
    const p = tf.exp(tf.sub(z, lse));
    return tf.sub(tf.squeeze(lse, [-1]), tf.sum(tf.mul(p, z), -1));
  });
}

/**
 * `log Σ_v softmax(z)_v²` over the last axis (WPO's per-token statistic), computed stably as
 * `logsumexp(2z) − 2·logsumexp(z)` with `z = logits / τ`. Differentiable.
 * @param logits - `[B, T, V]` (any rank ≥ 1).
 * @returns a new tensor `[B, T]`; the caller disposes it.
 */
export function logSumSquaredProbs(logits: tf.Tensor, temperature = 1): tf.Tensor {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError(`logSumSquaredProbs: temperature must be > 0, got ${temperature}.`);
  }
  return tf.tidy(() => {
    const z = temperature === 1 ? logits : tf.div(logits, temperature);
    return tf.sub(tf.logSumExp(tf.mul(z, 2), -1), tf.mul(tf.logSumExp(z, -1), 2));
  });
}
