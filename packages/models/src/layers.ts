/**
 * Building blocks of the forward pass: norms, activations, linear layers, rotary embeddings, embedding lookup.
 * All functions take and return tensors the caller owns; call them inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation } from './config';

/** `x @ w + b` for 2-D `x` [N, in] and `w` [in, out] (untransposed: the fast wasm path). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return (b ? tf.fused.matMul({ a: x, b: w, bias: b }) : tf.matMul(x, w)) as tf.Tensor2D;
}

/** LayerNorm over the last axis (biased variance, like PyTorch). x [N, H] → [N, H]. */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  const mean = x.mean(-1, true);
  const centered = x.sub(mean);
  const variance = centered.square().mean(-1, true);
  return centered.mul(variance.add(eps).rsqrt()).mul(w).add(b);
}

/** RMSNorm over the last axis (Llama family). x [N, H] → [N, H]. */
export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  return x.mul(x.square().mean(-1, true).add(eps).rsqrt()).mul(w);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

// Rational approximation of erf on [-4, 4] (Eigen / XLA `fast_erf`, float32 error ~1e-7): erf(x) = x·P(x²) / Q(x²).
const ERF_P = [
  -2.72614225801306e-10, 2.77068142495902e-8, -2.10102402082508e-6, -5.69250639462346e-5,
  -7.34990630326855e-4, -2.95459980854025e-3, -1.60960333262415e-2,
];
const ERF_Q = [
  -1.45660718464996e-5, -2.13374055278905e-4, -1.68282697438203e-3, -7.37332916720468e-3,
  -1.42647390514189e-2,
];

/** Tensors at least this big use {@link fastErf}; smaller ones the single `Erf` kernel (fewer kernel calls). */
const FAST_ERF_MIN_SIZE = 1 << 15;

function erf<T extends tf.Tensor>(x: T): T {
  return x.size >= FAST_ERF_MIN_SIZE ? fastErf(x) : (tf.erf(x) as T);
}

/**
 * erf(x) from multiplications, additions and one division: tfjs-wasm's `Erf` kernel is scalar and ~100x slower than
 * its arithmetic kernels. Differentiable (the gradient follows the approximation).
 */
export function fastErf<T extends tf.Tensor>(input: T): T {
  const x = tf.clipByValue(input, -4, 4);
  const x2 = x.square();
  let p: tf.Tensor = tf.scalar(ERF_P[0]);
  for (const c of ERF_P.slice(1)) p = p.mul(x2).add(c);
  let q: tf.Tensor = tf.scalar(ERF_Q[0]);
  for (const c of ERF_Q.slice(1)) q = q.mul(x2).add(c);
  return x.mul(p).div(q) as T;
}

/** Element-wise activation with Hugging Face semantics (`gelu` = erf form, `gelu_new` = tanh form). */
export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'gelu':
      return x.mul(erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5) as T;
    case 'gelu_new': {
      const inner = x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI);
      return x.mul(inner.tanh().add(1)).mul(0.5) as T;
    }
    case 'relu':
      return tf.relu(x);
    case 'silu':
      return x.mul(tf.sigmoid(x)) as T;
  }
}

/**
 * Rotary tables for positions `positions` [B, T] (int32): `cos`, `sin` of shape [B, 1, T, headDim] (broadcast over
 * heads) and the signed permutation `rotate` [headDim, headDim] with `x @ rotate = rotate_half(x)` on the first
 * `rotaryDim` features. Angles are `position · theta^(-2i / rotaryDim)` in float32, like transformers; features past
 * `rotaryDim` get angle 0 (cos 1, sin 0), so they pass through unchanged.
 */
export function rotaryTables(
  positions: tf.Tensor2D,
  headDim: number,
  rotaryDim: number,
  theta: number,
): RotaryTables {
  const half = rotaryDim / 2;
  const inv = new Float32Array(headDim);
  for (let i = 0; i < half; i++) inv[i] = inv[i + half] = 1 / theta ** ((2 * i) / rotaryDim);
  const rotate = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    rotate[(i + half) * headDim + i] = -1; // out[i] = -x[i + half]
    rotate[i * headDim + i + half] = 1; // out[i + half] = x[i]
  }
  const [B, T] = positions.shape;
  const angles = positions
    .toFloat()
    .reshape([B, 1, T, 1])
    .mul(tf.tensor1d(inv).reshape([1, 1, 1, headDim]));
  return {
    cos: angles.cos() as tf.Tensor4D,
    sin: angles.sin() as tf.Tensor4D,
    rotate: tf.tensor2d(rotate, [headDim, headDim]),
  };
}

/** See {@link rotaryTables}. */
export interface RotaryTables {
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  rotate: tf.Tensor2D;
}

/**
 * Applies rotary embeddings (the `rotate_half` convention of GPT-NeoX and Llama) to x [B, heads, T, headDim]:
 * `x·cos + rotate_half(x)·sin`, with `rotate_half` as one 2-D matmul (no strided slices or concats, which tfjs-wasm
 * runs in slow JS loops).
 */
export function applyRotary(x: tf.Tensor4D, tables: RotaryTables): tf.Tensor4D {
  const headDim = x.shape[3];
  const rotated = tf.matMul(x.reshape([-1, headDim]) as tf.Tensor2D, tables.rotate).reshape(x.shape);
  return x.mul(tables.cos).add(rotated.mul(tables.sin)) as tf.Tensor4D;
}

/**
 * Row lookup `table[ids]` with a gradient that works on every backend: tfjs's `gather` gradient needs the
 * `UnsortedSegmentSum` kernel, which tfjs-wasm lacks; without it the gradient is a host scatter-add.
 * table [V, H], ids [N] int32 → [N, H].
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const lookup = tf.customGrad((t, i, save) => {
    (save as tf.GradSaveFunc)([i as tf.Tensor1D]);
    return {
      value: tf.gather(t as tf.Tensor2D, i as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const [savedIds] = saved as [tf.Tensor1D];
        return [scatterAddRows(dy as tf.Tensor2D, savedIds, table.shape[0]), tf.zerosLike(savedIds)];
      },
    };
  });
  return lookup(table, ids) as tf.Tensor2D;
}

function scatterAddRows(dy: tf.Tensor2D, ids: tf.Tensor1D, rows: number): tf.Tensor2D {
  if (tf.getKernel('UnsortedSegmentSum', tf.getBackend())) return tf.unsortedSegmentSum(dy, ids, rows);
  const [n, h] = dy.shape;
  const grad = dy.dataSync();
  const index = ids.dataSync();
  const out = new Float32Array(rows * h);
  for (let r = 0; r < n; r++) {
    const dst = index[r] * h;
    const src = r * h;
    for (let j = 0; j < h; j++) out[dst + j] += grad[src + j];
  }
  return tf.tensor2d(out, [rows, h]);
}
