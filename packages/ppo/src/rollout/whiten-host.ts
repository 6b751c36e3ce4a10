import { maskedWhiten } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Whitens the valid entries of a host `[B, T]` array with `@ocrm/core`'s `maskedWhiten` (mean and unbiased variance
 * over every valid entry, TRL semantics); masked entries become 0. With fewer than two valid entries the variance
 * is undefined: the array is returned masked but otherwise unchanged.
 * @returns a new Float32Array.
 * @internal
 */
export async function whitenHost(
  values: Float32Array,
  mask: ArrayLike<number>,
  shape: [number, number],
  shiftMean = true,
): Promise<Float32Array> {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++;
  if (count < 2) return values.map((v, i) => (mask[i] ? v : 0));
  const out = tf.tidy(() =>
    maskedWhiten(tf.tensor2d(values, shape), tf.tensor2d(Float32Array.from(mask), shape), shiftMean),
  );
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}
