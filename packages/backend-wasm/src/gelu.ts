/**
 * GELU as one fused tfjs-wasm kernel (`gelu` of `wasm/kernels.c`) for passes without a gradient tape: tfjs-wasm's
 * `Erf` and `Tanh` are scalar kernels, and the tensor-op forms take four more element-wise kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';
import { fusedKernelReady, heapOffset, requireFusedKernels } from './wasm-module';

/** Kernel name of the fused GELU (wasm only). */
export const GELU_KERNEL = 'OcrmGelu';

/** The wasm kernel function (see {@link fusedGelu}). */
export const geluKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { x } = inputs as unknown as { x: tf.TensorInfo };
  const { tanhForm } = attrs as unknown as { tanhForm: boolean };
  const run = requireFusedKernels(wasm, GELU_KERNEL).gelu;
  const out = wasm.makeOutput(x.shape, 'float32');
  run(heapOffset(wasm, x), heapOffset(wasm, out), tf.util.sizeFromShape(x.shape), tanhForm ? 1 : 0);
  return out;
};

/**
 * GELU with Hugging Face semantics, any shape (float32): `gelu` = `x·(1 + erf(x/√2))/2` (erf by a rational
 * approximation, float32 error ~1e-7), `gelu_new` = `x·(1 + tanh(√(2/π)(x + 0.044715x³)))/2`; fused on tfjs-wasm,
 * or undefined when the kernel is not available here (another backend, `installWasmFixes` not run, a gradient tape
 * recording, shared wasm memory): the caller then computes the same with tensor ops.
 */
export function fusedGelu<T extends tf.Tensor>(x: T, kind: 'gelu' | 'gelu_new'): T | undefined {
  if (x.dtype !== 'float32' || !fusedKernelReady(GELU_KERNEL)) return undefined;
  return tf.engine().runKernel(
    GELU_KERNEL,
    { x } as unknown as tf.NamedTensorMap,
    {
      tanhForm: kind === 'gelu_new',
    } as unknown as tf.NamedAttrMap,
  ) as T;
}

/** Kernel name of the erf GELU's training forward with its Φ(x) (wasm only). */
export const GELU_ERF_WITH_CDF_KERNEL = 'OcrmGeluErfWithCdf';

/** The wasm kernel function (see {@link fusedGeluErfWithCdf}); outputs [value, cdf]. */
export const geluErfWithCdfKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { x } = inputs as unknown as { x: tf.TensorInfo };
  const run = requireFusedKernels(wasm, GELU_ERF_WITH_CDF_KERNEL).gelu_erf_with_cdf;
  const value = wasm.makeOutput(x.shape, 'float32');
  const cdf = wasm.makeOutput(x.shape, 'float32');
  run(heapOffset(wasm, x), heapOffset(wasm, value), heapOffset(wasm, cdf), tf.util.sizeFromShape(x.shape));
  return [value, cdf];
};

/**
 * The forward pass of `@ocrm/models`' differentiable erf GELU on large tensors in one kernel: `[x·Φ(x), Φ(x)]` with
 * `Φ(x) = (erf(x/√2) + 1)/2` and erf by its `fastErf` rational approximation — the same float32 operations in the
 * same order as that tensor-op chain (about 25 element-wise kernels), so both outputs are bit-identical to it. For the
 * forward of a custom gradient (no tape records there); undefined where the kernel cannot run (the caller then uses
 * the tensor ops).
 */
export function fusedGeluErfWithCdf<T extends tf.Tensor>(x: T): [T, T] | undefined {
  if (x.dtype !== 'float32' || !fusedKernelReady(GELU_ERF_WITH_CDF_KERNEL)) return undefined;
  return tf
    .engine()
    .runKernel(GELU_ERF_WITH_CDF_KERNEL, { x } as unknown as tf.NamedTensorMap) as unknown as [T, T];
}
