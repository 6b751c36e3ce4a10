/**
 * The LM-head product in vocabulary chunks.
 */
import * as tf from '@tensorflow/tfjs';

/** Largest number of logits computed by one matmul (64 Mi floats = 256 MiB). */
export const LM_HEAD_CHUNK_ELEMENTS = 1 << 26;

/**
 * hidden [B, T, H] × weight [H, V] → logits [B, T, V]. When B·T·V exceeds `chunkElements`, the vocabulary is split
 * into column blocks multiplied one at a time and concatenated. The caller owns the result.
 */
export function lmHeadLogits(
  hidden: tf.Tensor3D,
  weight: tf.Tensor2D,
  chunkElements = LM_HEAD_CHUNK_ELEMENTS,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, H] = hidden.shape;
    const V = weight.shape[1];
    const rows = B * T;
    const flat = hidden.reshape([rows, H]) as tf.Tensor2D;
    if (rows * V <= chunkElements) return tf.matMul(flat, weight).reshape([B, T, V]) as tf.Tensor3D;
    const width = Math.max(1, Math.floor(chunkElements / rows));
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < V; start += width) {
      const size = Math.min(width, V - start);
      parts.push(tf.matMul(flat, weight.slice([0, start], [H, size])));
    }
    return tf.concat(parts, 1).reshape([B, T, V]) as tf.Tensor3D;
  });
}
