/**
 * An in-place `Slice` kernel for the tfjs-wasm backend, registered by `installWasmFixes` (see `wasm-fixes.ts`): it
 * copies only the box it returns, inside the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';

/**
 * Copies the box `begin`/`size` of x into a new tensor, reading x's heap memory in place. tfjs-wasm's own `Slice`
 * (and `SplitV`, which calls it per part) first copies the *whole* input out of the heap (`readSync`); this copies only
 * the box, as contiguous runs (the innermost partial axis and everything after it). float32, int32 and bool.
 */
export function sliceInPlace(
  wasm: WasmBackendLike,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo {
  const out = wasm.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  // Views after makeOutput: an allocation can grow (and so detach) the heap.
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  const shape = x.shape;
  const rank = shape.length;
  let k = rank - 1;
  while (k > 0 && size[k] === shape[k]) k--;
  const strides = new Array<number>(rank).fill(1);
  for (let j = rank - 2; j >= 0; j--) strides[j] = strides[j + 1]! * shape[j + 1]!;
  const run = size[k]! * strides[k]!;
  const runStart = begin[k]! * strides[k]!;
  if (k === 0) {
    dst.set(src.subarray(runStart, runStart + run));
    return out;
  }
  const index = new Array<number>(k).fill(0);
  let dstOffset = 0;
  const total = tf.util.sizeFromShape(size.slice(0, k));
  for (let n = 0; n < total; n++) {
    let srcOffset = runStart;
    for (let j = 0; j < k; j++) srcOffset += (begin[j]! + index[j]!) * strides[j]!;
    dst.set(src.subarray(srcOffset, srcOffset + run), dstOffset);
    dstOffset += run;
    for (let j = k - 1; j >= 0; j--) {
      if (++index[j]! < size[j]!) break;
      index[j] = 0;
    }
  }
  return out;
}

export const IN_PLACE_DTYPES = new Set<tf.DataType>(['float32', 'int32', 'bool']);

/** wasm `Slice` that reads its input in place (see {@link sliceInPlace}); other dtypes go to `original`. */
export function inPlaceSliceKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (!IN_PLACE_DTYPES.has(x.dtype)) return original(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceInPlace(args.backend as unknown as WasmBackendLike, x, begin_, size_);
  };
}
