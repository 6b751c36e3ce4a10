import * as tf from '@tensorflow/tfjs';
import type { AdvantageEstimator } from '../config';

/** Inputs of {@link policyGradientLoss} for n rows of response length R. */
export interface PolicyLossInputs {
  /** `[n, R]` log-probs under the current policy (differentiable), 0 where masked. */
  logpNew: tf.Tensor2D;
  /** `[n, R]` log-probs at sampling time (the "old" policy). */
  logpOld: tf.Tensor2D;
  /** `[n, R]` log-probs of the KL reference (used by `grpo` only). */
  logpRef: tf.Tensor2D;
  /** `[n, R]` 0/1 float response mask. */
  mask: tf.Tensor2D;
  /** `[n]` advantages. */
  advantages: tf.Tensor1D;
  estimator: AdvantageEstimator;
  /** Ratio clip ε. */
  clipRange: number;
  /** β of GRPO's KL term (ignored by `rloo`, whose KL is in the reward). */
  klCoef: number;
}

/** Scalars of {@link policyGradientLoss}; the caller owns them. */
export interface PolicyLoss {
  /** The loss to minimise, `[]`. */
  loss: tf.Scalar;
  /** Fraction of ratios on the clipped branch (sequences for `rloo`, valid tokens for `grpo`), `[]`. */
  clipFrac: tf.Scalar;
  /** `½·mean(Δ²)` of the log-ratio (sequence-level for `rloo`, token-level for `grpo`), `[]`. */
  approxKl: tf.Scalar;
  /** GRPO's mean per-token k3 KL to the reference (0 for `rloo`), `[]`. */
  klTerm: tf.Scalar;
}

/**
 * The clipped policy-gradient objectives of RLOO and GRPO, averaged over the n rows (so micro-batches of one minibatch
 * combine by their row counts).
 * - `rloo` (TRL `RLOOTrainer`): sequence ratio `ρ = exp(Σ_t logpNew − Σ_t logpOld)`,
 *   `loss = mean_b max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε))`.
 * - `grpo` (Shao et al. 2024): token ratio `ρ_t`, per token `−min(ρ_t·A, clip(ρ_t)·A) + β·(e^{ref−new} − (ref−new) − 1)`,
 *   averaged over each row's valid tokens, then over rows.
 */
export function policyGradientLoss(inputs: PolicyLossInputs): PolicyLoss {
  const { logpNew, logpOld, logpRef, mask, advantages, clipRange: eps, klCoef } = inputs;
  return tf.tidy(() => {
    const lo = 1 - eps;
    const hi = 1 + eps;
    if (inputs.estimator === 'rloo') {
      const diff = tf.sum(tf.mul(tf.sub(logpNew, logpOld), mask), 1);
      const ratio = tf.exp(diff);
      const unclipped = tf.neg(tf.mul(advantages, ratio));
      const clipped = tf.neg(tf.mul(advantages, tf.clipByValue(ratio, lo, hi)));
      return {
        loss: tf.mean(tf.maximum(unclipped, clipped)) as tf.Scalar,
        clipFrac: tf.mean(tf.cast(tf.greater(clipped, unclipped), 'float32')) as tf.Scalar,
        approxKl: tf.mul(0.5, tf.mean(tf.square(diff))) as tf.Scalar,
        klTerm: tf.scalar(0),
      };
    }
    const diff = tf.mul(tf.sub(logpNew, logpOld), mask);
    const ratio = tf.exp(diff);
    const A = tf.expandDims(advantages, 1);
    const unclipped = tf.neg(tf.mul(A, ratio));
    const clipped = tf.neg(tf.mul(A, tf.clipByValue(ratio, lo, hi)));
    const refDiff = tf.mul(tf.sub(logpRef, logpNew), mask);
    const k3 = tf.sub(tf.sub(tf.exp(refDiff), refDiff), 1);
    const perToken = tf.mul(tf.add(tf.maximum(unclipped, clipped), tf.mul(klCoef, k3)), mask);
    const tokens = tf.maximum(tf.sum(mask, 1), 1);
    const valid = tf.maximum(tf.sum(mask), 1);
    return {
      loss: tf.mean(tf.div(tf.sum(perToken, 1), tokens)) as tf.Scalar,
      clipFrac: tf.div(
        tf.sum(tf.mul(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask)),
        valid,
      ) as tf.Scalar,
      approxKl: tf.div(tf.mul(0.5, tf.sum(tf.square(diff))), valid) as tf.Scalar,
      klTerm: tf.div(tf.sum(tf.mul(k3, mask)), valid) as tf.Scalar,
    };
  });
}
