/**
 * Column sums of a matrix as one fused tfjs-wasm kernel (`column_sums` of `wasm/kernels.c`), for passes without a
 * gradient tape: the bias and norm-parameter gradients of `@ocrm/models`' layers.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';
import { fusedKernelReady, heapOffset, requireFusedKernels } from './wasm-module';

/** Kernel name of the fused column sums (wasm only). */
export const COLUMN_SUMS_KERNEL = 'OcrmColumnSums';

/** The wasm kernel function (see {@link fusedColumnSums}). */
export const columnSumsKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { x } = inputs as unknown as { x: tf.TensorInfo };
  const [rows, cols] = x.shape as [number, number];
  const run = requireFusedKernels(wasm, COLUMN_SUMS_KERNEL).column_sums;
  const out = wasm.makeOutput([cols], 'float32');
  if (cols > 0) run(heapOffset(wasm, x), heapOffset(wasm, out), rows, cols);
  return out;
};

/**
 * Column sums of x [N, M] → [M], each summed in row order: bit-identical to the 2-D product `ones[1, N] · x` on
 * tfjs-wasm (XNNPACK adds a row of ones' products in that order), which is how `@ocrm/models` reduces a non-innermost
 * axis — here without the product, its multiplications or the row of ones. Undefined where the kernel cannot run
 * (another backend, `installWasmFixes` not run, a gradient tape recording, no fused module): the caller then
 * computes the product.
 */
export function fusedColumnSums(x: tf.Tensor2D): tf.Tensor1D | undefined {
  if (x.dtype !== 'float32' || x.rank !== 2 || !fusedKernelReady(COLUMN_SUMS_KERNEL)) return undefined;
  return tf.engine().runKernel(COLUMN_SUMS_KERNEL, { x } as unknown as tf.NamedTensorMap) as tf.Tensor1D;
}
