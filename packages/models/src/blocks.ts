/**
 * One transformer layer of each architecture on 2-D activations [N = B*T, H].
 */
import { decodeAttentionFromQkv, normalizeRows } from '@ocrm/backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { attend, attendHeadsOuter } from './attention';
import type { ModelConfig } from './config';
import { activate, applyRotary, linear, normAffine, normalize, type RotaryTables } from './layers';

/** Looks up an internal weight by key (`h0.qkv.w`); returns undefined for absent optional weights. */
export type WeightGetter = (key: string) => tf.Tensor | undefined;

/** Per-forward shared inputs of every layer. */
export interface LayerContext {
  config: ModelConfig;
  weight: WeightGetter;
  batch: number;
  length: number;
  /** [B, 1, T, S] additive attention bias. */
  bias: tf.Tensor4D;
  /** Rotary tables (rotary models only). */
  rotary?: RotaryTables;
  /** Per-forward tables of the fused q/k/v path, built on first use (see {@link FusedQkvTables}). */
  fusedTables?: FusedQkvTables;
}

/** The model's norm without its weights: standardised (LayerNorm) or RMS-scaled rows. x [N, H] → [N, H]. */
function normalized(ctx: LayerContext, x: tf.Tensor2D): tf.Tensor2D {
  return normalize(x, ctx.config.norm, ctx.config.normEps);
}

/** The norm's elementwise weight and (LayerNorm) bias. */
function normWeights(ctx: LayerContext, key: string): { weight: tf.Tensor1D; bias?: tf.Tensor1D } {
  const weight = ctx.weight(`${key}.w`) as tf.Tensor1D;
  if (ctx.config.norm === 'rmsnorm') return { weight };
  return { weight, bias: ctx.weight(`${key}.b`) as tf.Tensor1D };
}

/** The norm's elementwise weight (and bias for LayerNorm) applied to normalized rows. */
function affine(ctx: LayerContext, key: string, xn: tf.Tensor2D): tf.Tensor2D {
  const { weight, bias } = normWeights(ctx, key);
  return normAffine(xn, weight, bias);
}

/** The whole norm as `@ocrm/core`'s fused kernel where available (wasm, no tape); undefined elsewhere. */
function fusedNorm(ctx: LayerContext, key: string, x: tf.Tensor2D): tf.Tensor2D | undefined {
  return normalizeRows(x, ctx.config.norm, ctx.config.normEps, normWeights(ctx, key));
}

/** Applies the model's norm (`key` = `h0.ln1`, `ln_f`, ...). x [N, H] → [N, H]. */
export function norm(ctx: LayerContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  return fusedNorm(ctx, key, x) ?? affine(ctx, key, normalized(ctx, x));
}

/**
 * Per-forward tables of the fused q/k/v path, so that rotary embeddings and the 1/sqrt(hd) scale of q are one pass
 * `rows·cos + (rows @ rotate)·sin` over rows [N, heads, hd] (`sin`/`rotate` absent without rotary: `rows·cos`).
 * `qkv`: for the whole projection [N, 3·nH, hd] (q heads, k heads, v heads): cos·a + b and sin·a with per head slot
 * a = 1/sqrt(hd), 1, 0 and b = 0, 0, 1 (q rotated and scaled, k rotated, v unchanged). `q`, `k`: for one part (`k`
 * absent without rotary: k unchanged). Each kind is built on first use and shared by the layers.
 */
interface FusedQkvTables {
  qkv?: RowTables;
  parts?: { q: RowTables; k?: RowTables };
}

interface RowTables {
  cos: tf.Tensor;
  sin?: tf.Tensor;
  rotate?: tf.Tensor2D;
}

function qkvTables(ctx: LayerContext): RowTables {
  ctx.fusedTables ??= {};
  if (ctx.fusedTables.qkv) return ctx.fusedTables.qkv;
  const { numHeads: nH, headDim: hd } = ctx.config;
  const slot = (q: number, k: number, v: number) =>
    tf.tensor3d(
      Float32Array.from({ length: 3 * nH }, (_, i) => (i < nH ? q : i < 2 * nH ? k : v)),
      [1, 3 * nH, 1],
    );
  const scale = 1 / Math.sqrt(hd);
  let tables: RowTables;
  if (ctx.rotary) {
    const N = ctx.batch * ctx.length;
    const a = slot(scale, 1, 0);
    tables = {
      cos: ctx.rotary.cos
        .reshape([N, 1, hd])
        .mul(a)
        .add(slot(0, 0, 1)),
      sin: ctx.rotary.sin.reshape([N, 1, hd]).mul(a),
      rotate: ctx.rotary.rotate,
    };
  } else {
    tables = { cos: slot(scale, 1, 1) };
  }
  ctx.fusedTables.qkv = tables;
  return tables;
}

function partTables(ctx: LayerContext): { q: RowTables; k?: RowTables } {
  ctx.fusedTables ??= {};
  if (ctx.fusedTables.parts) return ctx.fusedTables.parts;
  const hd = ctx.config.headDim;
  const scale = 1 / Math.sqrt(hd);
  let tables: { q: RowTables; k?: RowTables };
  if (ctx.rotary) {
    const N = ctx.batch * ctx.length;
    const { rotate } = ctx.rotary;
    const cos = ctx.rotary.cos.reshape([N, 1, hd]);
    const sin = ctx.rotary.sin.reshape([N, 1, hd]);
    tables = { q: { cos: cos.mul(scale), sin: sin.mul(scale), rotate }, k: { cos, sin, rotate } };
  } else {
    tables = { q: { cos: tf.scalar(scale) } };
  }
  ctx.fusedTables.parts = tables;
  return tables;
}

/** `rows·cos + (rows @ rotate)·sin` (see {@link FusedQkvTables}); rows [N, heads, hd]. */
function rotateRows(rows: tf.Tensor3D, t: RowTables): tf.Tensor3D {
  if (!t.sin || !t.rotate) return rows.mul(t.cos);
  const [N, heads, hd] = rows.shape;
  const rotated = tf.matMul(rows.reshape([N * heads, hd]) as tf.Tensor2D, t.rotate).reshape(rows.shape);
  return rows.mul(t.cos).add(rotated.mul(t.sin));
}

/**
 * Attention of a fused q/k/v projection (GPT-NeoX, GPT-2; numKvHeads = numHeads) with few kernels: one matmul,
 * rotary and the 1/sqrt(hd) scale on q, k and v together, one 3-D transpose to [3·nH, N, hd] and a contiguous split
 * into q, k, v in the heads-outer layout [nH, B, T, hd] (for large N, three products from weight slices instead).
 * A decoding step is one product and `@ocrm/core`'s fused `decodeAttentionFromQkv` where available (wasm, no tape).
 */
function fusedSelfAttention(
  ctx: LayerContext,
  layer: number,
  x: tf.Tensor2D,
  past?: { keys: tf.Tensor4D; values: tf.Tensor4D },
): { out: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const { config: c, batch: B, length: T } = ctx;
  const p = `h${layer}`;
  const nH = c.numHeads;
  const hd = c.headDim;
  const N = B * T;
  const fused = ctx.weight(`${p}.qkv.w`) as tf.Tensor2D;
  const bias = ctx.weight(`${p}.qkv.b`) as tf.Tensor1D | undefined;
  let q: tf.Tensor4D;
  let k: tf.Tensor4D;
  let v: tf.Tensor4D;
  const [H, width] = fused.shape;
  if (N <= H) {
    const projected = linear(x, fused, bias);
    if (T === 1 && past) {
      // A decoding step: split, rotary, scale, cache append and attention in one fused kernel where available.
      const r = ctx.rotary;
      const step = decodeAttentionFromQkv({
        qkv: projected,
        rotary: r ? { cos: r.cos, sin: r.sin, rotaryDim: c.rotaryDim } : undefined,
        pastK: past.keys,
        pastV: past.values,
        bias: ctx.bias,
        qScale: 1 / Math.sqrt(hd),
      });
      if (step) return { ...step, out: proj(ctx, `${p}.o`, step.out) };
    }
    // Small activations (decoding): one product, one rotary pass, one transpose, one split.
    const rows = rotateRows(projected.reshape([N, 3 * nH, hd]) as tf.Tensor3D, qkvTables(ctx));
    [q, k, v] = tf
      .split(rows.transpose([1, 0, 2]), 3, 0)
      .map((t) => t.reshape([nH, B, T, hd])) as tf.Tensor4D[];
  } else {
    // Large activations: split the weight, not the activations (tfjs-wasm's Slice copies its whole input first).
    const D = width / 3;
    const part = (i: number, t?: RowTables) => {
      const w = fused.slice([0, i * D], [H, D]);
      const rows = linear(x, w, bias ? bias.slice([i * D], [D]) : undefined).reshape([
        N,
        nH,
        hd,
      ]) as tf.Tensor3D;
      return (t ? rotateRows(rows, t) : rows).transpose([1, 0, 2]).reshape([nH, B, T, hd]) as tf.Tensor4D;
    };
    const tables = partTables(ctx);
    q = part(0, tables.q);
    k = part(1, tables.k);
    v = part(2);
  }
  const dims = { batch: B, length: T, numHeads: nH, numKvHeads: nH, headDim: hd };
  const result = attendHeadsOuter(q, k, v, ctx.bias, dims, past?.keys, past?.values);
  return { ...result, out: proj(ctx, `${p}.o`, result.out) };
}

function proj(ctx: LayerContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  return linear(x, ctx.weight(`${key}.w`) as tf.Tensor2D, ctx.weight(`${key}.b`) as tf.Tensor1D | undefined);
}

function mlp(ctx: LayerContext, layer: number, x: tf.Tensor2D): tf.Tensor2D {
  const p = `h${layer}`;
  const act = ctx.config.activation;
  const inner =
    ctx.config.mlp === 'gated'
      ? activate(proj(ctx, `${p}.gate`, x), act).mul(proj(ctx, `${p}.up`, x))
      : activate(proj(ctx, `${p}.up`, x), act);
  return proj(ctx, `${p}.down`, inner as tf.Tensor2D);
}

/**
 * Qwen3's q/k norm: the model's RMSNorm with the weight `key` [hd] over each head's slice of a projection
 * [N, heads·hd] (before rotary); the projection unchanged when the model has no such weight.
 */
function headNorm(ctx: LayerContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  const weight = ctx.weight(`${key}.w`) as tf.Tensor1D | undefined;
  if (!weight) return x;
  const [N, width] = x.shape;
  const hd = ctx.config.headDim;
  const rows = x.reshape([(N * width) / hd, hd]) as tf.Tensor2D;
  const out =
    normalizeRows(rows, 'rmsnorm', ctx.config.normEps, { weight }) ??
    normAffine(normalize(rows, 'rmsnorm', ctx.config.normEps), weight);
  return out.reshape([N, width]) as tf.Tensor2D;
}

function selfAttention(
  ctx: LayerContext,
  layer: number,
  x: tf.Tensor2D,
  past?: { keys: tf.Tensor4D; values: tf.Tensor4D },
): { out: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const { config: c, batch: B, length: T } = ctx;
  const p = `h${layer}`;
  if (ctx.weight(`${p}.qkv.w`) && c.numKvHeads === c.numHeads) return fusedSelfAttention(ctx, layer, x, past);
  // Heads-major [B, heads, T, hd].
  let q: tf.Tensor4D;
  let k: tf.Tensor4D;
  let v: tf.Tensor4D;
  const heads = (h: tf.Tensor2D, n: number) =>
    h.reshape([B, T, n, c.headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  const fused = ctx.weight(`${p}.qkv.w`) as tf.Tensor2D | undefined;
  if (fused) {
    // Split whichever is smaller, the fused weight [H, 3D] or the activations [N, 3D], by columns: tfjs-wasm slices
    // non-contiguously in JS loops, so slicing big activations is slow; three 2-D matmuls cost the same as one.
    const bias = ctx.weight(`${p}.qkv.b`) as tf.Tensor1D | undefined;
    const [H, width] = fused.shape;
    const D = width / 3;
    let parts: tf.Tensor2D[];
    if (x.shape[0] <= H) {
      parts = linear(x, fused, bias).split(3, 1) as tf.Tensor2D[];
    } else {
      const part = (i: number) =>
        linear(x, fused.slice([0, i * D], [H, D]), bias ? bias.slice([i * D], [D]) : undefined);
      parts = [part(0), part(1), part(2)];
    }
    q = heads(parts[0], c.numHeads);
    k = heads(parts[1], c.numKvHeads);
    v = heads(parts[2], c.numKvHeads);
  } else {
    q = heads(headNorm(ctx, `${p}.qn`, proj(ctx, `${p}.q`, x)), c.numHeads);
    k = heads(headNorm(ctx, `${p}.kn`, proj(ctx, `${p}.k`, x)), c.numKvHeads);
    v = heads(proj(ctx, `${p}.v`, x), c.numKvHeads);
  }
  if (ctx.rotary) {
    q = applyRotary(q, ctx.rotary);
    k = applyRotary(k, ctx.rotary);
  }
  const dims = { batch: B, length: T, numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: c.headDim };
  const result = attend(q, k, v, ctx.bias, dims, past?.keys, past?.values);
  return { ...result, out: proj(ctx, `${p}.o`, result.out) };
}

/**
 * One decoder layer: pre-norm attention and MLP, sequential (`x + attn(ln1 x)`, then `+ mlp(ln2 ·)`) or GPT-NeoX
 * parallel (`x + attn(ln1 x) + mlp(ln2 x)`). x [N, H] → [N, H], plus this layer's full keys/values.
 */
export function decoderLayer(
  ctx: LayerContext,
  layer: number,
  x: tf.Tensor2D,
  past?: { keys: tf.Tensor4D; values: tf.Tensor4D },
): { x: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  if (ctx.config.parallelResidual) {
    // Both norms read the same x: one fused kernel per norm, or normalize once and apply each norm's own weights.
    let ln1 = fusedNorm(ctx, `h${layer}.ln1`, x);
    let ln2 = ln1 && fusedNorm(ctx, `h${layer}.ln2`, x);
    if (!ln1 || !ln2) {
      const xn = normalized(ctx, x);
      ln1 = affine(ctx, `h${layer}.ln1`, xn);
      ln2 = affine(ctx, `h${layer}.ln2`, xn);
    }
    const attn = selfAttention(ctx, layer, ln1, past);
    const y = x.add(attn.out).add(mlp(ctx, layer, ln2)) as tf.Tensor2D;
    return { x: y, keys: attn.keys, values: attn.values };
  }
  const attn = selfAttention(ctx, layer, norm(ctx, `h${layer}.ln1`, x), past);
  const h = x.add(attn.out) as tf.Tensor2D;
  return { x: h.add(mlp(ctx, layer, norm(ctx, `h${layer}.ln2`, h))), keys: attn.keys, values: attn.values };
}
