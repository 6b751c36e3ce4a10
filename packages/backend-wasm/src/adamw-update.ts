/**
 * The AdamW update as one fused tfjs-wasm kernel (`adamw_update` of `wasm/kernels.c`) instead of fourteen element-wise
 * kernels per variable: `@ocrm/core`'s `AdamW.step` runs it through the kernel name `ADAMW_KERNEL` whenever the
 * current backend has it registered ({@link installWasmFixes} registers it for `wasm`).
 */
import { ADAMW_KERNEL, type AdamWKernelAttrs } from '@ocrm/core';
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';
import { heapOffset, requireFusedKernels } from './wasm-module';

/**
 * The wasm kernel function of `ADAMW_KERNEL`: inputs `param`, `m`, `v`, `grad` (float32, one shape), attrs
 * {@link AdamWKernelAttrs}; outputs `[param', m', v']` in that shape, each operation rounded to float32 in the order
 * of core's tensor-op update (bit-identical to it).
 */
export const adamwUpdateKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const { param, m, v, grad } = inputs as unknown as Record<'param' | 'm' | 'v' | 'grad', tf.TensorInfo>;
  const a = attrs as unknown as AdamWKernelAttrs;
  const run = requireFusedKernels(wasm, ADAMW_KERNEL).adamw_update;
  const shape = param.shape;
  const outs = [0, 1, 2].map(() => wasm.makeOutput(shape, 'float32'));
  const n = shape.reduce((x, y) => x * y, 1);
  if (n > 0) {
    run(
      heapOffset(wasm, param),
      heapOffset(wasm, m),
      heapOffset(wasm, v),
      heapOffset(wasm, grad),
      ...outs.map((o) => heapOffset(wasm, o)),
      n,
      a.beta1,
      a.oneMinusBeta1,
      a.beta2,
      a.oneMinusBeta2,
      a.decay === undefined ? 0 : 1,
      a.decay ?? 1,
      a.biasCorrection2Sqrt,
      a.epsilon,
      a.stepSize,
    );
  }
  return outs;
};
