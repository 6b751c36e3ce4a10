/**
 * The weight-free part of LayerNorm / RMSNorm as one fused tfjs-wasm kernel (`normalize_rows` of `wasm/kernels.c`)
 * instead of seven element-wise kernels (mean, subtract, square, mean, add eps, rsqrt, multiply), for passes without
 * a gradient tape (decoding steps, rollout scoring, evaluation).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';
import { fusedKernelReady, fusedKernels, heapOffset } from './wasm-module';

/** Kernel name of the fused row normalisation (wasm only). */
export const NORMALIZE_ROWS_KERNEL = 'OcrmNormalizeRows';

/** The wasm kernel function (see {@link normalizeRows}). */
export const normalizeRowsKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { x } = inputs as unknown as { x: tf.TensorInfo };
  const { rms, eps } = attrs as unknown as { rms: boolean; eps: number };
  const run = fusedKernels(wasm)?.normalize_rows;
  if (!run) throw new Error(`${NORMALIZE_ROWS_KERNEL}: this tfjs-wasm build cannot run it (shared memory)`);
  const [rows, cols] = x.shape as [number, number];
  const out = wasm.makeOutput([rows, cols], 'float32');
  run(heapOffset(wasm, x), heapOffset(wasm, out), rows, cols, rms ? 1 : 0, eps);
  return out;
};

/**
 * Rows of x [N, H] (float32) normalised without weights: `(x - mean)·rsqrt(var + eps)` with the biased variance
 * (`layernorm`) or `x·rsqrt(mean(x²) + eps)` (`rmsnorm`) → [N, H]; fused on tfjs-wasm, or undefined when the
 * kernel is not available here (another backend, `installWasmFixes` not run, a gradient tape recording, shared wasm
 * memory): the caller then computes the same with tensor ops.
 */
export function normalizeRows(
  x: tf.Tensor2D,
  kind: 'layernorm' | 'rmsnorm',
  eps: number,
): tf.Tensor2D | undefined {
  if (x.dtype !== 'float32' || !fusedKernelReady(NORMALIZE_ROWS_KERNEL)) return undefined;
  return tf.engine().runKernel(
    NORMALIZE_ROWS_KERNEL,
    { x } as unknown as tf.NamedTensorMap,
    {
      rms: kind === 'rmsnorm',
      eps,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor2D;
}
