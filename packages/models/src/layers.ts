/**
 * Building blocks of the forward pass: norms, activations, linear layers, rotary embeddings, embedding lookup.
 * All functions take and return tensors the caller owns; call them inside `tf.tidy`.
 */
import { fusedColumnSums, fusedGelu, fusedGeluErfWithCdf, wasmFixesInstalled } from '@ocrm/backend-wasm';
import * as tf from '@tensorflow/tfjs';
import type { Activation } from './config';
import { type RopeScaling, ropeInverseFrequencies } from './rope';

/**
 * True while tfjs records a gradient tape (inside `tf.grads` / `tf.variableGrads`). Ops with a custom gradient run
 * plain when nothing is recorded (same values; a `customGrad` wrapper costs a scope per call, which adds up in
 * token-by-token decoding).
 */
export function recording(): boolean {
  return tf.engine().isTapeOn();
}

/**
 * Column sums of x [N, M] → [M] as one 2-D product `ones[1, N] @ x`: tfjs-wasm reduces a non-innermost axis by
 * transposing first and summing in a slow loop (the bias and norm-weight gradients were ~10 % of a training step).
 * On tfjs-wasm without a tape (a gradient function) the fused `column_sums` kernel gives the product's bits without
 * the product.
 */
export function columnSums(x: tf.Tensor2D): tf.Tensor1D {
  const fused = fusedColumnSums(x);
  if (fused) return fused;
  const [N, M] = x.shape;
  return tf.matMul(tf.ones([1, N]) as tf.Tensor2D, x).reshape([M]) as tf.Tensor1D;
}

/**
 * `x @ w + b` for 2-D `x` [N, in] and `w` [in, out] (untransposed: the fast wasm path). With a bias: one fused
 * kernel forward, and a gradient of untransposed 2-D products only (dx = dy·wᵀ, dw = xᵀ·dy with explicit
 * transposes, db = ones·dy).
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (!b) return tf.matMul(x, w);
  if (!recording()) return fusedMatMulKernel(x, w, b);
  const fn = tf.customGrad((xi, wi, bi, save) => {
    (save as tf.GradSaveFunc)([xi as tf.Tensor2D, wi as tf.Tensor2D]);
    return {
      value: tf.fused.matMul({ a: xi as tf.Tensor2D, b: wi as tf.Tensor2D, bias: bi as tf.Tensor1D }),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, sw.transpose()), tf.matMul(sx.transpose(), g), columnSums(g)];
      },
    };
  });
  return fn(x, w, b) as tf.Tensor2D;
}

/**
 * `x @ w + b` by the `_FusedMatMul` kernel itself: `tf.fused.matMul` wraps every call in a custom-gradient scope
 * (~15 µs on wasm, eight times per decoding step of a 2-layer model), which untaped calls do not need.
 */
function fusedMatMulKernel(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const [N, K] = x.shape;
  const M = w.shape[1];
  const out = tf
    .engine()
    .runKernel(
      '_FusedMatMul',
      { a: x.reshape([1, N, K]), b: w.reshape([1, K, M]), bias: b },
      { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0.2 },
    ) as tf.Tensor3D;
  return out.reshape([N, M]);
}

/**
 * A norm's elementwise weight and optional bias on normalized rows: `xn·w (+ b)`, xn [N, H], w and b [H]. The
 * weight and bias gradients are column sums as 2-D products (see {@link columnSums}).
 */
export function normAffine(xn: tf.Tensor2D, w: tf.Tensor1D, b?: tf.Tensor1D): tf.Tensor2D {
  if (!recording()) return (b ? xn.mul(w).add(b) : xn.mul(w)) as tf.Tensor2D;
  if (!b) {
    const scaleOnly = tf.customGrad((xi, wi, save) => {
      (save as tf.GradSaveFunc)([xi as tf.Tensor2D, wi as tf.Tensor1D]);
      return {
        value: (xi as tf.Tensor2D).mul(wi as tf.Tensor1D),
        gradFunc: (dy, saved) => {
          const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor1D];
          const g = dy as tf.Tensor2D;
          return [g.mul(sw), columnSums(g.mul(sx))];
        },
      };
    });
    return scaleOnly(xn, w) as tf.Tensor2D;
  }
  const withBias = tf.customGrad((xi, wi, bi, save) => {
    (save as tf.GradSaveFunc)([xi as tf.Tensor2D, wi as tf.Tensor1D]);
    return {
      value: (xi as tf.Tensor2D).mul(wi as tf.Tensor1D).add(bi as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor1D];
        const g = dy as tf.Tensor2D;
        return [g.mul(sw), columnSums(g.mul(sx)), columnSums(g)];
      },
    };
  });
  return withBias(xn, w, b) as tf.Tensor2D;
}

/**
 * The weight-free part of a norm over the last axis: `(x - mean)·rsqrt(var + eps)` (LayerNorm) or
 * `x·rsqrt(mean(x²) + eps)` (RMSNorm), with the biased variance like PyTorch; the norm is this then
 * {@link normAffine}. x [N, H] → [N, H]. (Without a gradient tape on tfjs-wasm, `blocks.ts` runs the whole norm as
 * `@ocrm/core`'s fused `normalizeRows` instead.)
 */
export function normalize(x: tf.Tensor2D, kind: 'layernorm' | 'rmsnorm', eps: number): tf.Tensor2D {
  if (kind === 'rmsnorm') return x.mul(x.square().mean(-1, true).add(eps).rsqrt());
  const centered = x.sub(x.mean(-1, true));
  return centered.mul(centered.square().mean(-1, true).add(eps).rsqrt());
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

/**
 * exp(y) for y ≤ 0 as `s / (1 - s)` with `s = sigmoid(y)`: tfjs-wasm's `Sigmoid` is an XNNPACK vector kernel, ~10x
 * faster than its scalar `Exp` (relative error a few float32 ulps).
 */
function expNonPositive(y: tf.Tensor): tf.Tensor {
  const s = tf.sigmoid(y);
  return s.div(tf.sub(1, s));
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact GELU `x·Φ(x)`, `Φ(x) = (1 + erf(x/√2)) / 2`, as one differentiable op: the forward pass is not recorded on
 * the tape, and the gradient is the analytic `Φ(x) + x·φ(x)` (a few element-wise kernels instead of the backward of
 * every kernel of the erf approximation).
 */
function geluErf<T extends tf.Tensor>(x: T): T {
  if (!recording()) return x.mul(erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5)) as T;
  const gelu = tf.customGrad((input, save) => {
    const xs = input as tf.Tensor;
    // Large tensors (erf by fastErf): one fused kernel on tfjs-wasm, bit-identical to the tensor ops below.
    const fused = xs.size >= FAST_ERF_MIN_SIZE ? fusedGeluErfWithCdf(xs) : undefined;
    const cdf = fused?.[1] ?? erf(xs.mul(Math.SQRT1_2)).add(1).mul(0.5);
    (save as tf.GradSaveFunc)([xs, cdf]);
    return {
      value: fused?.[0] ?? xs.mul(cdf),
      gradFunc: (dy, saved) => {
        const [sx, scdf] = saved as [tf.Tensor, tf.Tensor];
        return tf.tidy(() => {
          const pdf = expNonPositive(sx.square().mul(-0.5)).mul(INV_SQRT_2PI);
          return (dy as tf.Tensor).mul(scdf.add(sx.mul(pdf)));
        });
      },
    };
  });
  return gelu(x) as T;
}

/**
 * Element-wise activation with Hugging Face semantics (`gelu` = erf form, `gelu_new` = tanh form, computed as
 * `x·sigmoid(2u)` = `x·(1 + tanh(u))/2`: the same function, and `Sigmoid` is fast on wasm while `Tanh` is scalar).
 * Without a gradient tape on tfjs-wasm both GELUs are `@ocrm/core`'s fused `fusedGelu` kernel.
 */
export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  if (activation === 'gelu' || activation === 'gelu_new') {
    const fused = fusedGelu(x, activation);
    if (fused) return fused;
  }
  switch (activation) {
    case 'gelu':
      return geluErf(x);
    case 'gelu_new': {
      const inner = x.add(x.pow(3).mul(0.044715)).mul(2 * SQRT_2_OVER_PI);
      return x.mul(tf.sigmoid(inner)) as T;
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
 * `rotaryDim` features. Angles are `position · theta^(-2i / rotaryDim)` in float32, like transformers (frequencies
 * scaled by `scaling`, see `ropeInverseFrequencies`); features past
 * `rotaryDim` get angle 0 (cos 1, sin 0), so they pass through unchanged.
 */
export function rotaryTables(
  positions: tf.Tensor2D,
  headDim: number,
  rotaryDim: number,
  theta: number,
  scaling?: RopeScaling,
): RotaryTables {
  const half = rotaryDim / 2;
  const frequencies = ropeInverseFrequencies(rotaryDim, theta, scaling);
  const inv = new Float32Array(headDim);
  for (let i = 0; i < half; i++) inv[i] = inv[i + half] = frequencies[i]!;
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

/** Lookups of at most this many ids × rows are one-hot matmuls (tfjs-wasm's `GatherV2` costs ~2 µs per id). */
const ONE_HOT_LOOKUP_MAX = 1 << 17;

/**
 * Row lookup `table[ids]` with a gradient that works on every backend: tfjs's `gather` gradient needs the
 * `UnsortedSegmentSum` kernel, which tfjs-wasm lacks; without it the gradient is a host scatter-add. Small lookups
 * (ids × rows ≤ {@link ONE_HOT_LOOKUP_MAX}) are a one-hot matmul instead (exact; its gradient is one more matmul).
 * Untaped lookups are a plain `tf.gather` (one kernel; on wasm only with `installWasmFixes`, whose `GatherV2` copies
 * rows in place). table [V, H], ids [N] int32 → [N, H].
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const rows = table.shape[0];
  // Untaped (inference, decoding): a plain gather, except on wasm without `installWasmFixes` (its stock `GatherV2`).
  if (!recording() && (tf.getBackend() !== 'wasm' || wasmFixesInstalled())) return tf.gather(table, ids);
  if (ids.shape[0] * rows <= ONE_HOT_LOOKUP_MAX) {
    // int32 then cast: tfjs-wasm's `OneHot` kernel writes int32 data whatever the requested dtype.
    return tf.matMul(tf.oneHot(ids, rows).toFloat() as tf.Tensor2D, table);
  }
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
