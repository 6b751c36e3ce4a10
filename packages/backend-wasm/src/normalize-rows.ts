/**
 * LayerNorm / RMSNorm as one fused tfjs-wasm kernel (`normalize_rows` of `wasm/kernels.c`) instead of up to nine
 * element-wise kernels (mean, subtract, square, mean, add eps, rsqrt, multiply, weight, bias), for passes without a
 * gradient tape (decoding steps, rollout scoring, evaluation).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';
import { fusedKernelReady, heapOffset, requireFusedKernels } from './wasm-module';

/** Kernel name of the fused row normalisation (wasm only). */
export const NORMALIZE_ROWS_KERNEL = 'OcrmNormalizeRows';

/** The wasm kernel function (see {@link normalizeRows}). */
export const normalizeRowsKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { x, weight, bias } = inputs as unknown as Record<string, tf.TensorInfo | undefined>;
  const { rms, eps } = attrs as unknown as { rms: boolean; eps: number };
  const run = requireFusedKernels(wasm, NORMALIZE_ROWS_KERNEL).normalize_rows;
  const [rows, cols] = (x as tf.TensorInfo).shape as [number, number];
  const out = wasm.makeOutput([rows, cols], 'float32');
  const at = (t: tf.TensorInfo | undefined) => (t ? heapOffset(wasm, t) : 0);
  run(at(x), at(out), rows, cols, rms ? 1 : 0, eps, at(weight), at(bias));
  return out;
};

/** The elementwise weight (and bias) a norm applies after normalising, [H] each. */
export interface NormAffine {
  weight: tf.Tensor1D;
  bias?: tf.Tensor1D;
}

/**
 * Rows of x [N, H] (float32) normalised: `(x - mean)·rsqrt(var + eps)` with the biased variance (`layernorm`) or
 * `x·rsqrt(mean(x²) + eps)` (`rmsnorm`), then `·weight + bias` when `affine` is given → [N, H]; fused on tfjs-wasm,
 * or undefined when the kernel is not available here (another backend, `installWasmFixes` not run, a gradient tape
 * recording, shared wasm memory): the caller then computes the same with tensor ops.
 */
export function normalizeRows(
  x: tf.Tensor2D,
  kind: 'layernorm' | 'rmsnorm',
  eps: number,
  affine?: NormAffine,
): tf.Tensor2D | undefined {
  if (x.dtype !== 'float32' || !fusedKernelReady(NORMALIZE_ROWS_KERNEL)) return undefined;
  const tensors: Record<string, tf.Tensor> = { x };
  if (affine) tensors.weight = affine.weight;
  if (affine?.bias) tensors.bias = affine.bias;
  const attrs = { rms: kind === 'rmsnorm', eps };
  return tf
    .engine()
    .runKernel(
      NORMALIZE_ROWS_KERNEL,
      tensors as unknown as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor2D;
}
