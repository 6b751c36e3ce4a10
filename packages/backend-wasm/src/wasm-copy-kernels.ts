/**
 * In-place copy kernels (`Slice`, `SplitV`, row `GatherV2`) registered for the tfjs-wasm backend by
 * `installWasmFixes` (see `wasm-fixes.ts`): they copy only what they return, inside the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';

/**
 * Copies the box `begin`/`size` of x into a new tensor, reading x's heap memory in place. tfjs-wasm's own `Slice`
 * (and `SplitV`, which calls it per part) first copies the *whole* input out of the heap (`readSync`); this copies only
 * the box, as contiguous runs (the innermost partial axis and everything after it). float32, int32 and bool.
 */
function sliceInPlace(
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

const IN_PLACE_DTYPES = new Set<tf.DataType>(['float32', 'int32', 'bool']);

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

/** wasm `SplitV` whose parts are in-place slices (see {@link sliceInPlace}); other dtypes go to `original`. */
export function inPlaceSplitVKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (!IN_PLACE_DTYPES.has(x.dtype)) return original(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as {
      numOrSizeSplits: number | number[];
      axis: number;
    };
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const wasm = args.backend as unknown as WasmBackendLike;
    return sizes.map((s) => {
      const size = [...x.shape];
      size[$axis] = s;
      const part = sliceInPlace(wasm, x, [...begin], size);
      begin[$axis]! += s;
      return part;
    });
  };
}

/**
 * wasm `GatherV2` for the embedding-lookup case (axis 0, no batch dimensions, float32 or int32 rows): one contiguous
 * row copy per index inside the heap. tfjs-wasm's own kernel costs ~2–4 µs per index. Other cases, and out-of-range
 * indices (for the stock error), go to `original`.
 */
export function rowGatherKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims?: number };
    const rows = x.shape[0] ?? 0;
    if (
      (batchDims ?? 0) !== 0 ||
      tf.util.parseAxisParam(axis, x.shape)[0] !== 0 ||
      !(x.dtype === 'float32' || x.dtype === 'int32') ||
      indices.dtype !== 'int32' ||
      rows === 0
    ) {
      return original(args);
    }
    const wasm = args.backend as unknown as WasmBackendLike;
    const ids = wasm.typedArrayFromHeap(indices);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!(id >= 0 && id < rows)) return original(args);
    }
    const width = tf.util.sizeFromShape(x.shape.slice(1));
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (width === 0 || ids.length === 0) return out;
    // Views after makeOutput: an allocation can grow (and so detach) the heap.
    const idView = wasm.typedArrayFromHeap(indices);
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    for (let i = 0; i < idView.length; i++) {
      const from = (idView[i] as number) * width;
      dst.set(src.subarray(from, from + width), i * width);
    }
    return out;
  };
}
