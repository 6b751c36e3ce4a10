/**
 * The internals of tfjs-wasm's `BackendWasm` (4.22) that this package's wasm kernels use.
 */
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-wasm's `BackendWasm` (4.22) these kernels use. */
export interface WasmBackendLike {
  readSync(id: tf.DataId): tf.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(id: tf.DataId): boolean;
  /** One more reference on a buffer (freed by `disposeData` when the last is gone). */
  incRef(id: tf.DataId): void;
  /** Next free id of the wasm-side tensor registry (shared with the backend's own tensors). */
  dataIdNextNumber: number;
  dataIdMap: { get(id: tf.DataId): { id: number; memoryOffset: number } | undefined };
  wasm: {
    cwrap(name: string, returnType: null, argTypes: string[]): (...args: unknown[]) => void;
    tfjs: {
      registerTensor(id: number, size: number, memoryOffset: number): void;
      disposeData(id: number): void;
    };
  };
}
