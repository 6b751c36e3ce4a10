/**
 * A fused decoding-step attention kernel for tfjs-wasm: one call appends the new key/value row to the cache and
 * attends one query token per sequence, instead of two concats, two thin batched products (tfjs-wasm's scalar loop),
 * a bias add, a softmax and a transpose. The arithmetic is `decode_attention` of `wasm/kernels.c` (128-bit SIMD; see
 * `wasm-module.ts`). Registered by `installWasmFixes` as the wasm kernel `OcrmDecodeAttention`; used through
 * {@link decodeAttention}, which returns undefined wherever the kernel cannot run (other backends, a gradient tape,
 * a threaded wasm build with shared memory) so that callers keep their tensor-op path.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';
import { fusedKernelReady, heapOffset, requireFusedKernels, withScratch } from './wasm-module';

/** Kernel name of the fused decoding attention (wasm only). */
export const DECODE_ATTENTION_KERNEL = 'OcrmDecodeAttention';

/** Kernel name of the fused decoding attention that starts from a fused q/k/v projection's rows (wasm only). */
export const DECODE_ATTENTION_QKV_KERNEL = 'OcrmDecodeAttentionQkv';

/** Attributes of {@link DECODE_ATTENTION_KERNEL}. */
interface DecodeAttentionAttrs {
  numHeads: number;
  numKvHeads: number;
  headsOuter: boolean;
  scale: number;
}

/** The wasm kernel function (see {@link decodeAttention} for the inputs' shapes). */
export const decodeAttentionKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { q, k, v, pastK, pastV, bias } = inputs as unknown as Record<string, tf.TensorInfo>;
  const { numHeads, numKvHeads, headsOuter, scale } = attrs as unknown as DecodeAttentionAttrs;
  const run = requireFusedKernels(wasm, DECODE_ATTENTION_KERNEL).decode_attention;
  const [d0, d1, P, hd] = (pastK as tf.TensorInfo).shape as [number, number, number, number];
  const B = headsOuter ? d1 : d0;
  const S = P + 1;
  const cacheShape = [d0, d1, S, hd];
  const out = wasm.makeOutput([B, numHeads * hd], 'float32');
  const keys = wasm.makeOutput(cacheShape, 'float32');
  const values = wasm.makeOutput(cacheShape, 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(wasm, t);
  withScratch(wasm, S, (scratch) =>
    run(
      at(q as tf.TensorInfo),
      at(k as tf.TensorInfo),
      at(v as tf.TensorInfo),
      at(pastK as tf.TensorInfo),
      at(pastV as tf.TensorInfo),
      at(bias as tf.TensorInfo),
      at(out),
      at(keys),
      at(values),
      scratch,
      scale,
      B,
      numHeads,
      numKvHeads,
      P,
      hd,
      headsOuter ? 1 : 0,
    ),
  );
  return [out, keys, values];
};

/** Inputs of one fused decoding step. */
export interface DecodeAttentionInputs {
  /** Queries of the new token: [nH, B, 1, hd] (heads-outer) or [B, nH, 1, hd]. */
  q: tf.Tensor4D;
  /** Key of the new token: [nH, B, 1, hd] (heads-outer, kvH = nH) or [B, kvH, 1, hd]. */
  k: tf.Tensor4D;
  /** Value of the new token, same layout as `k`. */
  v: tf.Tensor4D;
  /** Cached keys [nH, B, P, hd] (heads-outer) or [B, kvH, P, hd], P ≥ 1. */
  pastK: tf.Tensor4D;
  /** Cached values, same layout as `pastK`. */
  pastV: tf.Tensor4D;
  /** Additive score bias for the P + 1 keys: [B, 1, 1, P + 1] (0 = attend, large negative = masked). */
  bias: tf.Tensor4D;
  /** Query heads nH (a multiple of the kv heads). */
  numHeads: number;
  /** `true`: q, k, v and the cache are [heads, B, ·, hd] (fused q/k/v models); `false`: [B, heads, ·, hd]. */
  headsOuter: boolean;
  /** Factor of every score (1 when q is already scaled by 1/sqrt(hd)). */
  scale: number;
}

/**
 * One decoding step of attention with the cache append, fused on tfjs-wasm: scores `q·k * scale + bias` over the
 * P cached keys and the new one, softmax, weighted sum of the values. Returns the heads merged, out [B, nH*hd], and
 * the grown cache, keys and values [·, ·, P + 1, hd] in the input layout (new tensors; the inputs stay valid); or
 * undefined when the fused kernel is not available here (backend other than wasm, `installWasmFixes` not run, a
 * gradient tape recording, shared wasm memory): the caller then computes the same with tensor ops.
 */
export function decodeAttention(
  inputs: DecodeAttentionInputs,
): { out: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } | undefined {
  if (!fusedKernelReady(DECODE_ATTENTION_KERNEL)) return undefined;
  const { q, k, v, pastK, pastV, bias, numHeads, headsOuter, scale } = inputs;
  const numKvHeads = headsOuter ? numHeads : (pastK.shape[1] as number);
  const [out, keys, values] = tf
    .engine()
    .runKernel(
      DECODE_ATTENTION_KERNEL,
      { q, k, v, pastK, pastV, bias } as unknown as tf.NamedTensorMap,
      { numHeads, numKvHeads, headsOuter, scale } as unknown as tf.NamedAttrMap,
    ) as unknown as [tf.Tensor2D, tf.Tensor4D, tf.Tensor4D];
  return { out, keys, values };
}

/** The wasm kernel function of {@link decodeAttentionFromQkv}. */
export const decodeAttentionQkvKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { qkv, cos, sin, pastK, pastV, bias } = inputs as unknown as Record<
    string,
    tf.TensorInfo | undefined
  >;
  const { numHeads, rotaryDim, qScale } = attrs as unknown as {
    numHeads: number;
    rotaryDim: number;
    qScale: number;
  };
  const run = requireFusedKernels(wasm, DECODE_ATTENTION_QKV_KERNEL).decode_attention_qkv;
  const [nH, B, P, hd] = (pastK as tf.TensorInfo).shape as [number, number, number, number];
  const S = P + 1;
  const out = wasm.makeOutput([B, numHeads * hd], 'float32');
  const keys = wasm.makeOutput([nH, B, S, hd], 'float32');
  const values = wasm.makeOutput([nH, B, S, hd], 'float32');
  const at = (t: tf.TensorInfo | undefined) => (t ? heapOffset(wasm, t) : 0);
  withScratch(wasm, S + hd, (scratch) =>
    run(
      at(qkv),
      at(cos),
      at(sin),
      at(pastK),
      at(pastV),
      at(bias),
      at(out),
      at(keys),
      at(values),
      scratch,
      qScale,
      rotaryDim,
      B,
      nH,
      P,
      hd,
    ),
  );
  return [out, keys, values];
};

/** Inputs of {@link decodeAttentionFromQkv}. */
export interface DecodeAttentionQkvInputs {
  /** The fused projection's rows for the new token, [B, 3·nH·hd] laid out as q heads, k heads, v heads. */
  qkv: tf.Tensor2D;
  /** Rotary tables of the new token's positions, [B, 1, 1, hd] each (absent without rotary embeddings). */
  rotary?: { cos: tf.Tensor4D; sin: tf.Tensor4D; rotaryDim: number };
  /** Cached keys [nH, B, P, hd] (heads-outer), P ≥ 1. */
  pastK: tf.Tensor4D;
  /** Cached values [nH, B, P, hd]. */
  pastV: tf.Tensor4D;
  /** Additive score bias [B, 1, 1, P + 1]. */
  bias: tf.Tensor4D;
  /** Factor of q after its rotary embedding (1/sqrt(hd)). */
  qScale: number;
}

/**
 * {@link decodeAttention} for models with a fused q/k/v projection (GPT-NeoX, GPT-2; kv heads = heads), starting
 * from the projection's rows: the split into heads, the rotary embeddings of q and k (`rotate_half` convention on
 * the first `rotaryDim` features) and q's scale happen in the same call. Returns out [B, nH*hd] and the grown
 * heads-outer cache [nH, B, P + 1, hd], or undefined where the fused kernel is not available (see
 * {@link decodeAttention}).
 */
export function decodeAttentionFromQkv(
  inputs: DecodeAttentionQkvInputs,
): { out: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } | undefined {
  if (!fusedKernelReady(DECODE_ATTENTION_QKV_KERNEL)) return undefined;
  const { qkv, rotary, pastK, pastV, bias, qScale } = inputs;
  const tensors: Record<string, tf.Tensor> = { qkv, pastK, pastV, bias };
  if (rotary) Object.assign(tensors, { cos: rotary.cos, sin: rotary.sin });
  const [out, keys, values] = tf.engine().runKernel(
    DECODE_ATTENTION_QKV_KERNEL,
    tensors as unknown as tf.NamedTensorMap,
    {
      numHeads: pastK.shape[0],
      rotaryDim: rotary?.rotaryDim ?? 0,
      qScale,
    } as unknown as tf.NamedAttrMap,
  ) as unknown as [tf.Tensor2D, tf.Tensor4D, tf.Tensor4D];
  return { out, keys, values };
}
