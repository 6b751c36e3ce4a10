/**
 * One transformer layer of each architecture on 2-D activations [N = B*T, H].
 */
import type * as tf from '@tensorflow/tfjs';
import { attend } from './attention';
import type { ModelConfig } from './config';
import { activate, applyRotary, layerNorm, linear, type RotaryTables, rmsNorm } from './layers';

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
}

/** Applies the model's norm (`key` = `h0.ln1`, `ln_f`, ...). x [N, H] → [N, H]. */
export function norm(ctx: LayerContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  const w = ctx.weight(`${key}.w`) as tf.Tensor1D;
  if (ctx.config.norm === 'rmsnorm') return rmsNorm(x, w, ctx.config.normEps);
  return layerNorm(x, w, ctx.weight(`${key}.b`) as tf.Tensor1D, ctx.config.normEps);
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

function selfAttention(
  ctx: LayerContext,
  layer: number,
  x: tf.Tensor2D,
  past?: { keys: tf.Tensor4D; values: tf.Tensor4D },
): { out: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const { config: c, batch: B, length: T } = ctx;
  const p = `h${layer}`;
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
    q = heads(proj(ctx, `${p}.q`, x), c.numHeads);
    k = heads(proj(ctx, `${p}.k`, x), c.numKvHeads);
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
  const attn = selfAttention(ctx, layer, norm(ctx, `h${layer}.ln1`, x), past);
  if (ctx.config.parallelResidual) {
    const y = x.add(attn.out).add(mlp(ctx, layer, norm(ctx, `h${layer}.ln2`, x))) as tf.Tensor2D;
    return { x: y, keys: attn.keys, values: attn.values };
  }
  const h = x.add(attn.out) as tf.Tensor2D;
  return { x: h.add(mlp(ctx, layer, norm(ctx, `h${layer}.ln2`, h))), keys: attn.keys, values: attn.values };
}
