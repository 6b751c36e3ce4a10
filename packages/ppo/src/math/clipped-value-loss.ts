import { maskedMean as coreMaskedMean } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

const maskedMean = (x: tf.Tensor, mask: tf.Tensor) => coreMaskedMean(x, mask) as tf.Scalar;

/** Input of {@link clippedValueLoss}. Tensors `[B, T_resp]`, not disposed. */
export interface ClippedValueLossInput {
  /** Values of the critic being trained (differentiable). */
  values: tf.Tensor;
  /** Values recorded at rollout time (constants). */
  valuesOld: tf.Tensor;
  /** GAE returns (constants). */
  returns: tf.Tensor;
  /** Float 0/1 value mask (valid tokens, plus the score slot for `'eosPlus1'`). */
  mask: tf.Tensor;
  /** Value clip: the new value may move at most this far from the old one in the clipped term. */
  clipRangeValue: number;
}

/** Output of {@link clippedValueLoss}: scalars owned by the caller. */
export interface ClippedValueLoss {
  /** `0.5 * mean_valid(max((v - R)², (v_clipped - R)²))`; differentiable (not yet multiplied by `vfCoef`). */
  loss: tf.Scalar;
  /** Fraction of valid positions where the clipped term is the larger one. */
  clipfrac: tf.Scalar;
}

/**
 * The clipped value loss of PPO (with the 0.5 factor of the reference implementation):
 * `v_clipped = v_old + clip(v - v_old, -c, c)`, `loss = 0.5 * mean_valid(max((v - R)², (v_clipped - R)²))`.
 *
 * @example
 * // v = 1, v_old = 0, R = 2, c = 0.2: (1-2)² = 1, (0.2-2)² = 3.24 → loss = 0.5 * 3.24 = 1.62, clipfrac 1
 */
export function clippedValueLoss(input: ClippedValueLossInput): ClippedValueLoss {
  const { values, valuesOld, returns, mask, clipRangeValue } = input;
  return tf.tidy(() => {
    const clippedValues = tf.add(
      valuesOld,
      tf.clipByValue(tf.sub(values, valuesOld), -clipRangeValue, clipRangeValue),
    );
    const unclipped = tf.square(tf.sub(values, returns));
    const clipped = tf.square(tf.sub(clippedValues, returns));
    const loss = tf.mul(0.5, maskedMean(tf.maximum(unclipped, clipped), mask)) as tf.Scalar;
    const clipfrac = maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask);
    return { loss, clipfrac };
  });
}
