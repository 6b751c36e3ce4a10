/**
 * A cache-blocked `Transpose` kernel for the tfjs-wasm backend (`transpose_last2` of `wasm/kernels.c`), registered by
 * `installWasmFixes` (see `wasm-fixes.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';
import { fusedKernels, heapOffset } from './wasm-module';

/** The 4-byte dtypes the kernel moves (bit for bit). */
const DTYPES = new Set<tf.DataType>(['float32', 'int32']);

/** True when `perm` swaps the last two axes and keeps the others in place (`[0, …, r−3, r−1, r−2]`). */
export function swapsLastTwo(perm: readonly number[]): boolean {
  const r = perm.length;
  if (r < 2 || perm[r - 2] !== r - 1 || perm[r - 1] !== r - 2) return false;
  for (let k = 0; k < r - 2; k++) if (perm[k] !== k) return false;
  return true;
}

/**
 * Wraps the stock wasm `Transpose` kernel: a float32/int32 transpose of the last two axes (a matrix `[R, C] → [C, R]`,
 * or a batch of them, which the explicit transposes of the matmul gradients are) runs as `transpose_last2`, in 32×32
 * tiles of 4×4 SIMD blocks. The stock kernel writes with a stride of R elements and thrashes the cache when R is a
 * power of two: `[1024, 128]` took ~1 ms, ~4% of a training step of the bench's `small` model. Pure data movement:
 * bit-identical output. Other permutations and dtypes, and a module whose memory is not found, use the stock kernel.
 * @param original the stock kernel function.
 */
export function blockedTransposeKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    const wasm = args.backend as unknown as WasmBackendLike;
    const kernels = DTYPES.has(x.dtype) && swapsLastTwo(perm) ? fusedKernels(wasm) : null;
    if (!kernels) return original(args);
    const rank = x.shape.length;
    const rows = x.shape[rank - 2]!;
    const cols = x.shape[rank - 1]!;
    const out = wasm.makeOutput([...x.shape.slice(0, -2), cols, rows], x.dtype);
    const size = tf.util.sizeFromShape(x.shape);
    if (size > 0)
      kernels.transpose_last2(heapOffset(wasm, x), heapOffset(wasm, out), size / (rows * cols), rows, cols);
    return out;
  };
}
