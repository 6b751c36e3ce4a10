import * as tf from '@tensorflow/tfjs';

/**
 * log(exp(a) + exp(b)) without overflow or underflow: `max + log1p(exp(-|a - b|))`.
 * `logAddExp(-Infinity, -Infinity) = -Infinity`.
 */
export function logAddExp(a: number, b: number): number {
  const max = Math.max(a, b);
  if (max === Number.NEGATIVE_INFINITY || max === Number.POSITIVE_INFINITY) return max;
  return max + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * Element-wise, broadcasting, differentiable {@link logAddExp} on tensors:
 * `m + log(exp(a - m) + exp(b - m))` with `m = max(a, b)` (the gradient is exactly the softmax of (a, b), also at
 * a = b; infinite `m` is replaced by 0 so both -Infinity gives -Infinity).
 * @returns a new float32 tensor; the caller disposes it.
 */
export function logAddExpTensor(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const max = tf.maximum(a, b);
    const shift = tf.where(tf.isFinite(max), max, tf.zerosLike(max));
    return tf.add(shift, tf.log(tf.add(tf.exp(tf.sub(a, shift)), tf.exp(tf.sub(b, shift)))));
  });
}
