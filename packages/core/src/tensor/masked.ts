import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';

/** Added to the variance before the inverse square root in {@link maskedWhiten} (TRL's value). */
export const WHITEN_EPSILON = 1e-8;

function floatMask(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(x.shape, mask.shape)) {
    throw new ShapeError(`masked op: mask shape [${mask.shape}] differs from values shape [${x.shape}].`);
  }
  return mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
}

/**
 * Σ x·mask over `axis` (all axes when omitted).
 * @param x - float values, any shape.
 * @param mask - same shape as `x`; 1 = valid, 0 = ignored (weights in between work too).
 * @returns a new tensor (reduced shape); the caller disposes it. Inputs are not disposed.
 */
export function maskedSum(x: tf.Tensor, mask: tf.Tensor, axis?: number | number[]): tf.Tensor {
  return tf.tidy(() => tf.sum(tf.mul(x, floatMask(x, mask)), axis));
}

/**
 * Σ x·mask / Σ mask over `axis` (all axes when omitted). A slice with no valid entry gives 0 (not NaN).
 * @returns a new tensor (reduced shape); the caller disposes it.
 */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor, axis?: number | number[]): tf.Tensor {
  return tf.tidy(() => {
    const m = floatMask(x, mask);
    // max(count, 1) instead of divNoNan: divNoNan's gradient uses `Equal`, which has no gradient in tfjs, so a loss
    // built on it cannot be differentiated. With no valid entry the sum is 0, so the mean is 0 either way.
    return tf.div(tf.sum(tf.mul(x, m), axis), tf.maximum(tf.sum(m, axis), 1));
  });
}

/**
 * Variance of the valid entries of `x` (over all axes), as TRL's `masked_var`: `mean((x - mean)², mask)`, times
 * the Bessel correction `n / (n - 1)` when `unbiased` (n = Σ mask).
 * @returns a new scalar tensor; the caller disposes it.
 * @throws InvalidArgumentError when Σ mask is 0, or < 2 with `unbiased` (reads Σ mask back to the host).
 */
export function maskedVariance(x: tf.Tensor, mask: tf.Tensor, unbiased = true): tf.Scalar {
  return tf.tidy(() => {
    const m = floatMask(x, mask);
    const count = tf.sum(m);
    const n = count.dataSync()[0] as number;
    if (n <= 0 || (unbiased && n <= 1)) {
      throw new InvalidArgumentError(
        `maskedVariance: the mask selects ${n} entries; need at least ${unbiased ? 2 : 1}.`,
      );
    }
    const mean = tf.div(tf.sum(tf.mul(x, m)), count);
    const centered = tf.sub(x, mean);
    const variance = tf.div(tf.sum(tf.mul(tf.square(centered), m)), count);
    return (unbiased ? tf.mul(variance, n / (n - 1)) : variance) as tf.Scalar;
  });
}

/**
 * Whitens the valid entries of `x` (TRL `masked_whiten`, "N+ implementation details" semantics):
 * `(x - mean) / sqrt(var + 1e-8)` with the masked mean and unbiased masked variance over all valid entries; with
 * `shiftMean = false` the mean is added back. Masked entries are set to 0.
 * @returns a new tensor shaped like `x`; the caller disposes it.
 */
export function maskedWhiten(x: tf.Tensor, mask: tf.Tensor, shiftMean = true): tf.Tensor {
  return tf.tidy(() => {
    const m = floatMask(x, mask);
    const mean = maskedMean(x, m);
    const variance = maskedVariance(x, m, true);
    let whitened = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, WHITEN_EPSILON)));
    if (!shiftMean) whitened = tf.add(whitened, mean);
    return tf.mul(whitened, m);
  });
}
