import * as tf from '@tensorflow/tfjs';
import { batchTensors } from '../../batch/batch-tensors';
import type { TokenBatch } from '../../contracts/token-batch';
import { InvalidArgumentError } from '../../errors';
import { rng } from '../../rng/rng';

/**
 * The network behind the tiny test models: a real, differentiable, seeded autoregressive model small enough for
 * unit tests (a few thousand parameters).
 *
 *   x_t   = E_tok[id_t] + E_pos[pos_t]                                       (one-hot matmuls: no gather gradient
 *   c_t   = Σ_{s≤t} mask_s x_s / max(1, Σ_{s≤t} mask_s)                        needed, so it trains on wasm too)
 *   h_t   = tanh(x_t W_in + c_t W_ctx + b)                                      [B, T, H]
 *   out_t = h_t W_head (+ b_head)                                               [B, T, O] (O = V for a policy, 1 for a scalar head)
 *
 * Causal (h_t sees only positions ≤ t), masked positions are ignored, positions are `cumsum(mask) - 1`, so extra left
 * padding changes nothing.
 */

/** Shape of a tiny network. */
export interface TinyShape {
  vocabSize: number;
  hidden: number;
  maxLength: number;
  /** Output width of the head: `vocabSize` (language model) or 1 (scalar head). */
  outputs: number;
  /** Whether the head has a bias. */
  headBias: boolean;
}

/** Variable names in their fixed order. */
export const TRUNK_NAMES = [
  'embed_tokens.weight',
  'embed_positions.weight',
  'hidden.input.weight',
  'hidden.context.weight',
  'hidden.bias',
] as const;

/** Initial weights as host arrays (seeded), by name. Head names: `${headName}.weight` `[H, O]`, `${headName}.bias`. */
export function initTinyWeights(
  shape: TinyShape,
  seed: number,
  headName: string,
  headStd: number,
): Record<string, { shape: number[]; data: Float32Array }> {
  const { vocabSize: V, hidden: H, maxLength: L, outputs: O } = shape;
  const r = rng(seed, 0x7e57, 0);
  const normal = (n: number, std: number) => Float32Array.from(r.normals(n), (z) => z * std);
  const weights: Record<string, { shape: number[]; data: Float32Array }> = {
    'embed_tokens.weight': { shape: [V, H], data: normal(V * H, 1) },
    'embed_positions.weight': { shape: [L, H], data: normal(L * H, 0.5) },
    'hidden.input.weight': { shape: [H, H], data: normal(H * H, 1 / Math.sqrt(H)) },
    'hidden.context.weight': { shape: [H, H], data: normal(H * H, 1 / Math.sqrt(H)) },
    'hidden.bias': { shape: [H], data: new Float32Array(H) },
    [`${headName}.weight`]: { shape: [H, O], data: normal(H * O, headStd) },
  };
  if (shape.headBias) weights[`${headName}.bias`] = { shape: [O], data: new Float32Array(O) };
  return weights;
}

/** Throws InvalidArgumentError when a batch does not fit the network. */
export function checkBatch(batch: TokenBatch, shape: TinyShape, what: string): void {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  if (batch.ids.length !== B * T || batch.mask.length !== B * T) {
    throw new InvalidArgumentError(`${what}: ids/mask must have batchSize × seqLength = ${B * T} entries.`);
  }
  if (T > shape.maxLength) {
    throw new InvalidArgumentError(
      `${what}: sequence of ${T} positions exceeds maxLength ${shape.maxLength}.`,
      {
        hint: 'create the tiny model with a larger `maxLength`',
      },
    );
  }
  if (P < 1 || P > T) {
    throw new InvalidArgumentError(`${what}: promptLength must be in [1, seqLength], got ${P}.`);
  }
  for (let i = 0; i < B * T; i++) {
    const id = batch.ids[i] as number;
    if (batch.mask[i] && (id < 0 || id >= shape.vocabSize)) {
      throw new InvalidArgumentError(
        `${what}: token id ${id} at flat index ${i} is outside [0, ${shape.vocabSize}).`,
      );
    }
  }
}

/**
 * Hidden states `[B, T, H]` of a batch (call inside `tf.tidy`; differentiable with respect to `vars`).
 * Host arrays of the batch are read, never modified.
 */
export function tinyHidden(
  vars: Record<string, tf.Variable>,
  batch: TokenBatch,
  shape: TinyShape,
): tf.Tensor3D {
  const { batchSize: B, seqLength: T } = batch;
  const { vocabSize: V, hidden: H, maxLength: L } = shape;
  const counts = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    let c = 0;
    for (let t = 0; t < T; t++) {
      c += batch.mask[b * T + t] ? 1 : 0;
      counts[b * T + t] = Math.max(c, 1);
    }
  }
  const bt = batchTensors(batch);
  const tok = tf.matMul(
    tf.oneHot(tf.reshape(bt.ids, [B * T]), V),
    vars['embed_tokens.weight'] as tf.Tensor2D,
  );
  const pos = tf.matMul(
    tf.oneHot(tf.reshape(bt.positions, [B * T]), L),
    vars['embed_positions.weight'] as tf.Tensor2D,
  );
  const x = tf.mul(tf.add(tok, pos), tf.reshape(bt.mask, [B * T, 1])) as tf.Tensor2D; // [B·T, H], 0 where masked
  // Prefix sums over time as one 2-D matmul: lower-triangular [T, T] × [T, B·H] (tf.cumsum's gradient is wrong on
  // a non-last axis in tfjs 4.22, and 2-D matmuls are the fast path on wasm).
  const lower = new Float32Array(T * T);
  for (let t = 0; t < T; t++) lower.fill(1, t * T, t * T + t + 1);
  const timeMajor = tf.reshape(tf.transpose(tf.reshape(x, [B, T, H]), [1, 0, 2]), [T, B * H]);
  const prefix = tf.transpose(
    tf.reshape(tf.matMul(tf.tensor2d(lower, [T, T]), timeMajor), [T, B, H]),
    [1, 0, 2],
  );
  const context = tf.div(tf.reshape(prefix, [B * T, H]), tf.tensor2d(counts, [B * T, 1])) as tf.Tensor2D;
  const pre = tf.add(
    tf.add(
      tf.matMul(x, vars['hidden.input.weight'] as tf.Tensor2D),
      tf.matMul(context, vars['hidden.context.weight'] as tf.Tensor2D),
    ),
    vars['hidden.bias'] as tf.Tensor1D,
  );
  return tf.reshape(tf.tanh(pre), [B, T, H]);
}

/** Head output `[N, O]` of hidden rows `[N, H]` (call inside `tf.tidy`). */
export function tinyHead(
  vars: Record<string, tf.Variable>,
  rows: tf.Tensor2D,
  headName: string,
): tf.Tensor2D {
  const out = tf.matMul(rows, vars[`${headName}.weight`] as tf.Tensor2D);
  const bias = vars[`${headName}.bias`];
  return bias ? (tf.add(out, bias) as tf.Tensor2D) : (out as tf.Tensor2D);
}

/** Hidden rows `[B·R, H]` of the positions that predict response tokens: `promptLength - 1 + t`, t < R. */
export function responseRows(hidden: tf.Tensor3D, batch: TokenBatch): tf.Tensor2D {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  const R = T - P;
  const H = hidden.shape[2];
  return tf.reshape(tf.slice(hidden, [0, P - 1, 0], [B, R, H]), [B * R, H]);
}

/** Float32 `[B, R]` tensor of the response part of the batch mask. */
export function responseMaskTensor(batch: TokenBatch): tf.Tensor2D {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  const R = T - P;
  const mask = new Float32Array(B * R);
  for (let b = 0; b < B; b++) for (let t = 0; t < R; t++) mask[b * R + t] = batch.mask[b * T + P + t] ? 1 : 0;
  return tf.tensor2d(mask, [B, R]);
}
