/**
 * A zero-copy `Identity` kernel for the tfjs-wasm backend, registered by `installWasmFixes` (see `wasm-fixes.ts`).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';

/**
 * Wraps the stock wasm `Identity` kernel, which copies its input into a new heap buffer, so that the output shares
 * the input's buffer instead (one more reference on it, as tfjs-wasm's own `Reshape` and the cpu backend's
 * `Identity` do). tfjs calls `Identity` for every tensor a kernel saves for its gradient (`tf.clone` in
 * `saveTensorsForBackwardMode`): 207 copies in one training step of the bench's digest model. No tfjs-wasm kernel and
 * none of this package's writes into an input's memory, so the shared buffer is never changed under either tensor;
 * it is freed when both are disposed. String tensors keep the stock kernel.
 * @param original the stock kernel function.
 */
export function sharedIdentityKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
