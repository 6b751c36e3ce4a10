/**
 * A row `GatherV2` kernel for the tfjs-wasm backend, registered by `installWasmFixes` (see `wasm-fixes.ts`): it copies
 * the gathered rows inside the wasm heap (the stock kernel costs ~2–4 µs per index).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';

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
