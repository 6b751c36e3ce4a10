/**
 * The wrapped wasm `BatchMatMul` / `_FusedMatMul` kernels registered by `installWasmFixes` (see `wasm-fixes.ts`):
 * transposed products transpose explicitly and multiply untransposed; batched products of ≥ 8 rows run as one call of
 * the fused `batched_matmul` kernel (or, where it cannot run, per-entry XNNPACK products: the same bits).
 */
import * as tf from '@tensorflow/tfjs';

import type { WasmBackendLike } from './wasm-backend';
import { fusedKernels, heapOffset } from './wasm-module';

/** The wasm module's `BatchMatMul` entry point, wrapped once per module. */
const wasmBatchMatMuls = new WeakMap<object, (...args: unknown[]) => void>();

function wasmBatchMatMul(wasm: WasmBackendLike): (...args: unknown[]) => void {
  let fn = wasmBatchMatMuls.get(wasm.wasm);
  if (!fn) {
    const n = 'number';
    fn = wasm.wasm.cwrap('BatchMatMul', null, [n, 'array', n, n, 'array', n, n, n, n]);
    wasmBatchMatMuls.set(wasm.wasm, fn);
  }
  return fn;
}

/** True when the backend exposes the (tfjs 4.22) internals that {@link batchedXnnMatMul} uses. */
function hasTensorRegistry(wasm: WasmBackendLike): boolean {
  return (
    typeof wasm.dataIdNextNumber === 'number' &&
    typeof wasm.wasm?.cwrap === 'function' &&
    typeof wasm.wasm.tfjs?.registerTensor === 'function' &&
    typeof wasm.wasm.tfjs.disposeData === 'function'
  );
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/**
 * `batch` untransposed float32 products a[i] [M, K] × b[i] [K, N] → out [batch, M, N] as one XNNPACK 2-D product per
 * batch entry: each operand slice is registered with the wasm tensor registry as a view into its tensor's heap memory
 * (no copy), multiplied by the module's own `BatchMatMul` (which takes XNNPACK's path for batch-1 untransposed
 * operands, instead of its scalar loop for batched ones) and unregistered again (which also frees the XNNPACK
 * operator cached on the view). `outShape` is the output's full shape (batch dimensions, M, N).
 */
export function batchedXnnMatMul(
  wasm: WasmBackendLike,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  batch: number,
  dims: { M: number; K: number; N: number },
  outShape: number[],
): tf.TensorInfo {
  const { M, K, N } = dims;
  const out = wasm.makeOutput(outShape, 'float32');
  const offset = (t: tf.TensorInfo) => wasm.dataIdMap.get(t.dataId)!.memoryOffset;
  const [aOffset, bOffset, outOffset] = [offset(a), offset(b), offset(out)];
  const run = wasmBatchMatMul(wasm);
  const registry = wasm.wasm.tfjs;
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  for (let i = 0; i < batch; i++) {
    const ids = [wasm.dataIdNextNumber++, wasm.dataIdNextNumber++, wasm.dataIdNextNumber++] as const;
    registry.registerTensor(ids[0], M * K, aOffset + i * M * K * 4);
    registry.registerTensor(ids[1], K * N, bOffset + i * K * N * 4);
    registry.registerTensor(ids[2], M * N, outOffset + i * M * N * 4);
    try {
      run(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
    } finally {
      for (const id of ids) registry.disposeData(id);
    }
  }
  return out;
}

/**
 * {@link batchedXnnMatMul}'s products in one call of `batched_matmul` (`wasm/kernels.c`), which adds every output's
 * products in XNNPACK's order (k ascending from 0, no fused multiply-add): bit-identical (tested), 3-10x faster on
 * attention's shapes (no XNNPACK operator and packing of b per entry). Undefined where the fused module cannot run.
 */
export function batchedFusedMatMul(
  wasm: WasmBackendLike,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  batch: number,
  dims: { M: number; K: number; N: number },
  outShape: number[],
): tf.TensorInfo | undefined {
  const kernels = fusedKernels(wasm);
  if (!kernels) return undefined;
  const out = wasm.makeOutput(outShape, 'float32');
  kernels.batched_matmul(
    heapOffset(wasm, a),
    heapOffset(wasm, b),
    heapOffset(wasm, out),
    batch,
    dims.M,
    dims.K,
    dims.N,
  );
  return out;
}

/**
 * Batched products with at least this many rows per batch entry (M) run as one fused call
 * ({@link batchedFusedMatMul}, else per-entry XNNPACK products); thinner ones (a decoding step's single query row) stay in tfjs-wasm's scalar loop, which
 * then reads transposed operands in place.
 */
export const XNN_BATCHED_MIN_ROWS = 8;

/**
 * Wraps a wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`, inputs `a`, `b`, attrs `transposeA/B`) to keep products
 * off tfjs-wasm's scalar loop where it can:
 *
 * - 2-D products (batch 1): a transposed operand is first transposed by the wasm `Transpose` kernel and the product
 *   runs untransposed (XNNPACK's fast path instead of the scalar loop). Used for forward passes and for gradients that
 *   call matmul with transposes (e.g. `tf.fused.matMul`'s own gradient).
 * - Batched `BatchMatMul` products (equal batch dimensions > 1, float32): with at least {@link XNN_BATCHED_MIN_ROWS}
 *   rows per entry, the fused `batched_matmul` (or one XNNPACK product per batch entry on zero-copy views: the same
 *   bits; transposed operands transposed first);
 *   thinner products go to the scalar loop with their transposes (it reads them in place: no transpose copy).
 *
 * Same math; XNNPACK sums in a different order than the scalar loop (float32 rounding differences only).
 */
export function untransposedMatMulKernel(original: tf.KernelFunc, kernelName?: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const { a, b } = inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const wasm = backend as unknown as WasmBackendLike;
    const outer = (t: tf.TensorInfo) => t.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outer(a));
    const batched = batchA > 1 || tf.util.sizeFromShape(outer(b)) > 1;
    const sameBatch = tf.util.arraysEqual(outer(a), outer(b));
    const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
    const swap = (x: tf.TensorInfo): tf.TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      const r = perm.length;
      perm[r - 1] = r - 2;
      perm[r - 2] = r - 1;
      return transpose!({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
    };
    if (
      kernelName === 'BatchMatMul' &&
      batched &&
      sameBatch &&
      a.dtype === 'float32' &&
      b.dtype === 'float32'
    ) {
      const rank = a.shape.length;
      const M = a.shape[transposeA ? rank - 1 : rank - 2]!;
      const K = a.shape[transposeA ? rank - 2 : rank - 1]!;
      const N = b.shape[transposeB ? rank - 2 : rank - 1]!;
      if (M < XNN_BATCHED_MIN_ROWS || !transpose || M * K * N === 0 || !hasTensorRegistry(wasm)) {
        return original({ inputs, backend, attrs }); // the scalar loop, transposes read in place
      }
      const a2 = transposeA ? swap(a) : a;
      const b2 = transposeB ? swap(b) : b;
      try {
        const dims = { M, K, N };
        const outShape = [...outer(a), M, N];
        return (
          batchedFusedMatMul(wasm, a2, b2, batchA, dims, outShape) ??
          batchedXnnMatMul(wasm, a2, b2, batchA, dims, outShape)
        );
      } finally {
        if (a2 !== a) wasm.disposeData(a2.dataId);
        if (b2 !== b) wasm.disposeData(b2.dataId);
      }
    }
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
    if (!transpose) return original({ inputs, backend, attrs });
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
