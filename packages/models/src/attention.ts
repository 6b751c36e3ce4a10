/**
 * Causal multi-head / grouped-query self-attention on 2-D activations, with an optional key/value cache.
 */
import { decodeAttention } from '@ocrm/backend-wasm';
import * as tf from '@tensorflow/tfjs';

/** Large negative bias for masked scores (finite, so fully masked rows stay finite). */
const MASKED = -1e9;

/**
 * Additive attention bias [B, 1, T, S]: 0 where query `i` (absolute index `past + i`) may attend key `j`
 * (`j ≤ past + i` and `keyMask[b, j] = 1`), `-1e9` elsewhere. keyMask [B, S] float32, S = past + T.
 */
export function attentionBias(keyMask: tf.Tensor2D, queryLength: number): tf.Tensor4D {
  const [B, S] = keyMask.shape;
  if (queryLength === 1) return keyMask.reshape([B, 1, 1, S]).sub(1).mul(-MASKED) as tf.Tensor4D; // all causal
  const past = S - queryLength;
  const causal = new Float32Array(queryLength * S);
  for (let i = 0; i < queryLength; i++) causal.fill(1, i * S, i * S + past + i + 1);
  const allowed = tf.tensor4d(causal, [1, 1, queryLength, S]).mul(keyMask.reshape([B, 1, 1, S]));
  return allowed.sub(1).mul(-MASKED) as tf.Tensor4D;
}

/** Shapes of one attention call. */
export interface AttentionDims {
  batch: number;
  /** New tokens T. */
  length: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
}

/**
 * Scaled dot-product attention. q [B, nH, T, hd], k and v [B, kvH, T, hd] (rotary already applied), optional cached
 * `pastK`/`pastV` [B, kvH, P, hd], bias [B, 1, T, P + T]. Returns the heads merged back to 2-D [B*T, nH*hd] and the
 * full keys/values [B, kvH, P + T, hd] (for the next cache). Grouped-query attention folds the `nH / kvH` query heads
 * of a group into the row axis, so keys and values are never repeated. A decoding step (T = 1 with a cache) runs as
 * `@ocrm/core`'s fused `decodeAttention` kernel where it is available (tfjs-wasm, no gradient tape).
 */
export function attend(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  dims: AttentionDims,
  pastK?: tf.Tensor4D,
  pastV?: tf.Tensor4D,
): { out: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const { batch: B, length: T, numHeads: nH, numKvHeads: kvH, headDim: hd } = dims;
  if (T === 1 && pastK && pastV) {
    const step = decodeAttention({
      q,
      k,
      v,
      pastK,
      pastV,
      bias,
      numHeads: nH,
      headsOuter: false,
      scale: 1 / Math.sqrt(hd),
    });
    if (step) return step;
  }
  const rep = nH / kvH;
  const keys = pastK ? tf.concat([pastK, k], 2) : k;
  const values = pastV ? tf.concat([pastV, v], 2) : v;
  const S = keys.shape[2];
  const qh = q.mul(1 / Math.sqrt(hd)).reshape([B * kvH, rep * T, hd]) as tf.Tensor3D;
  const k3 = keys.reshape([B * kvH, S, hd]) as tf.Tensor3D;
  const scores = tf.matMul(qh, k3, false, true).reshape([B, nH, T, S]).add(bias);
  const probs = tf.softmax(scores).reshape([B * kvH, rep * T, S]) as tf.Tensor3D;
  const context = tf.matMul(probs, values.reshape([B * kvH, S, hd]) as tf.Tensor3D);
  const out = context
    .reshape([B, nH, T, hd])
    .transpose([0, 2, 1, 3])
    .reshape([B * T, nH * hd]) as tf.Tensor2D;
  return { out, keys, values };
}

/**
 * Scaled dot-product multi-head attention (numKvHeads = numHeads) in the heads-outer layout: q, k, v [nH, B, T, hd]
 * (q already scaled by 1/sqrt(hd), rotary applied), optional cached `pastK`/`pastV` [nH, B, P, hd], bias
 * [B, 1, T, P + T]. Returns the heads merged to 2-D [B*T, nH*hd] and the full keys/values [nH, B, P + T, hd]. This
 * layout comes out of the fused q/k/v projection with one 3-D transpose and a contiguous split (see `blocks.ts`).
 * A decoding step (T = 1 with a cache) runs as `@ocrm/core`'s fused `decodeAttention` kernel where available.
 */
export function attendHeadsOuter(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  dims: AttentionDims,
  pastK?: tf.Tensor4D,
  pastV?: tf.Tensor4D,
): { out: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const { batch: B, length: T, numHeads: nH, headDim: hd } = dims;
  if (T === 1 && pastK && pastV) {
    const step = decodeAttention({ q, k, v, pastK, pastV, bias, numHeads: nH, headsOuter: true, scale: 1 });
    if (step) return step;
  }
  const keys = pastK ? tf.concat([pastK, k], 2) : k;
  const values = pastV ? tf.concat([pastV, v], 2) : v;
  const S = keys.shape[2];
  const qh = q.reshape([nH * B, T, hd]) as tf.Tensor3D;
  const k3 = keys.reshape([nH * B, S, hd]) as tf.Tensor3D;
  const scores = tf
    .matMul(qh, k3, false, true)
    .reshape([nH, B, T, S])
    .add(bias.reshape([1, B, T, S]));
  const probs = tf.softmax(scores).reshape([nH * B, T, S]) as tf.Tensor3D;
  const context = tf.matMul(probs, values.reshape([nH * B, S, hd]) as tf.Tensor3D);
  const out = context
    .reshape([nH, B * T, hd])
    .transpose([1, 0, 2])
    .reshape([B * T, nH * hd]) as tf.Tensor2D;
  return { out, keys, values };
}
