import * as tf from '@tensorflow/tfjs';
import type { TokenBatch } from '../contracts/token-batch';

/** Tensors of a {@link TokenBatch}, all `[B, T]`. Owned by the caller (dispose them). */
export interface BatchTensors {
  /** int32 ids with masked positions set to 0 (safe to embed whatever the PAD id is). */
  ids: tf.Tensor2D;
  /** float32 mask, 1 = real token. */
  mask: tf.Tensor2D;
  /** int32 position ids `max(cumsum(mask) - 1, 0)` along T (left padding does not shift positions). */
  positions: tf.Tensor2D;
}

/**
 * Builds the model-input tensors of a batch on the host (no intermediate tensors).
 * @returns three new tensors `[B, T]`; the caller disposes them.
 */
export function batchTensors(batch: TokenBatch): BatchTensors {
  const { batchSize: B, seqLength: T } = batch;
  const ids = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  const positions = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    let count = 0;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      const valid = batch.mask[i] !== 0;
      if (valid) count++;
      ids[i] = valid ? (batch.ids[i] as number) : 0;
      mask[i] = valid ? 1 : 0;
      positions[i] = Math.max(count - 1, 0);
    }
  }
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T], 'float32'),
    positions: tf.tensor2d(positions, [B, T], 'int32'),
  };
}

/** The response part `[B, T_resp]` of a batch's mask, as a new Uint8Array. */
export function responseMask(batch: TokenBatch): Uint8Array {
  return responsePart(batch, batch.mask) as Uint8Array;
}

/** The response part `[B, T_resp]` of a batch's ids, as a new Int32Array. */
export function responseIds(batch: TokenBatch): Int32Array {
  return responsePart(batch, batch.ids) as Int32Array;
}

function responsePart(batch: TokenBatch, data: Int32Array | Uint8Array): Int32Array | Uint8Array {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  const R = T - P;
  const out = data instanceof Int32Array ? new Int32Array(B * R) : new Uint8Array(B * R);
  for (let b = 0; b < B; b++) out.set(data.subarray(b * T + P, (b + 1) * T), b * R);
  return out;
}
