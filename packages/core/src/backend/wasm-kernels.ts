/**
 * JS kernels registered for the tfjs-wasm backend by `installWasmFixes` (see `wasm-fixes.ts`).
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  readSync(id: tf.DataId): tf.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(id: tf.DataId): boolean;
}

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

/**
 * Wraps a wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`, inputs `a`, `b`, attrs `transposeA/B`) so that a
 * transposed operand is first transposed by the wasm `Transpose` kernel and the product runs untransposed (XNNPACK's
 * fast path for 2-D operands instead of the scalar loop). Same numbers; used for forward passes and for gradients
 * that call matmul with transposes (e.g. `tf.fused.matMul`'s own gradient).
 */
export function untransposedMatMulKernel(original: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
    const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
    if (!transpose) return original({ inputs, backend, attrs });
    const wasm = backend as unknown as WasmBackendLike;
    const swap = (x: tf.TensorInfo): tf.TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      const r = perm.length;
      perm[r - 1] = r - 2;
      perm[r - 2] = r - 1;
      return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const { a, b } = inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const a2 = transposeA ? swap(a) : a;
    const b2 = transposeB ? swap(b) : b;
    try {
      return original({
        inputs: { ...inputs, a: a2, b: b2 },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (a2 !== a) wasm.disposeData(a2.dataId);
      if (b2 !== b) wasm.disposeData(b2.dataId);
    }
  };
}
