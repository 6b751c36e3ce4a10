import { maskedMean as coreMaskedMean } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

const maskedMean = (x: tf.Tensor, mask: tf.Tensor) => coreMaskedMean(x, mask) as tf.Scalar;

/** Input of {@link clippedPolicyLoss}. Tensors `[B, T_resp]`, not disposed. */
export interface ClippedPolicyLossInput {
  /** Log-probs of the rollout tokens under the policy being trained (differentiable). */
  logpNew: tf.Tensor;
  /** Log-probs recorded at rollout time from the same full-forward function (constants). */
  logpOld: tf.Tensor;
  /** Whitened advantages (constants). */
  advantages: tf.Tensor;
  /** Float 0/1 mask of valid response tokens (through the first EOS). */
  mask: tf.Tensor;
  /** Ratio clip ε. */
  clipRange: number;
}

/** Output of {@link clippedPolicyLoss}: scalars owned by the caller. */
export interface ClippedPolicyLoss {
  /** `mean_valid(max(-A ρ, -A clip(ρ, 1-ε, 1+ε)))` with `ρ = exp(logpNew - logpOld)`; differentiable. */
  loss: tf.Scalar;
  /** Fraction of valid tokens where the clipped term is the larger (active) one. */
  clipfrac: tf.Scalar;
  /** `0.5 * mean_valid((logpNew - logpOld)²)`. */
  approxkl: tf.Scalar;
  /** `mean_valid(ρ)`. */
  ratio: tf.Scalar;
}

/**
 * The clipped surrogate policy loss of PPO (Schulman et al. 2017), averaged over valid tokens. The ratio is formed in
 * log space (`exp` of a per-token difference, never of a sequence sum). Call it inside the gradient function; every
 * intermediate is tidied.
 *
 * @example
 * // one token, logpNew - logpOld = log 1.5, A = 1, ε = 0.2: loss = max(-1.5, -1.2) = -1.2, clipfrac 1
 */
export function clippedPolicyLoss(input: ClippedPolicyLossInput): ClippedPolicyLoss {
  const { logpNew, logpOld, advantages, mask, clipRange } = input;
  return tf.tidy(() => {
    const diff = tf.mul(tf.sub(logpNew, logpOld), mask);
    const ratio = tf.exp(diff);
    const negAdvantages = tf.neg(advantages);
    const unclipped = tf.mul(negAdvantages, ratio);
    const clipped = tf.mul(negAdvantages, tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange));
    const loss = maskedMean(tf.maximum(unclipped, clipped), mask);
    const clipfrac = maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask);
    const approxkl = tf.mul(0.5, maskedMean(tf.square(diff), mask)) as tf.Scalar;
    return { loss, clipfrac, approxkl, ratio: maskedMean(ratio, mask) };
  });
}
