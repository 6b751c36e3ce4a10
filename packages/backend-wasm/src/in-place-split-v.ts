/**
 * An in-place `SplitV` kernel for the tfjs-wasm backend, registered by `installWasmFixes` (see `wasm-fixes.ts`): each
 * part is an in-place slice (`in-place-slice.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { IN_PLACE_DTYPES, sliceInPlace } from './in-place-slice';
import type { WasmBackendLike } from './wasm-backend';

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
