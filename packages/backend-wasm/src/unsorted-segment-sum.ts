/**
 * A JS `UnsortedSegmentSum` kernel for the tfjs-wasm backend, which has none (the gradient of `tf.gather`, embedding
 * backward, needs it); registered by `installWasmFixes` (see `wasm-fixes.ts`).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-backend';

/** JS `UnsortedSegmentSum` for wasm: out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped. */
export const unsortedSegmentSumWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const wasm = backend as unknown as WasmBackendLike;
  const values = wasm.readSync(x.dataId);
  const ids = wasm.readSync(segmentIds.dataId);
  const rest = x.shape.slice(segmentIds.shape.length);
  const inner = rest.reduce((p, d) => p * d, 1);
  const out = wasm.makeOutput([numSegments, ...rest], x.dtype);
  const target = wasm.typedArrayFromHeap(out);
  target.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i] as number;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++)
      target[to + j] = (target[to + j] as number) + (values[from + j] as number);
  }
  return out;
};
