/**
 * The compiled fused kernels (`wasm/kernels.c`), instantiated against tfjs-wasm's own memory so they read and write
 * tensors where they live. Used by `decode-attention.ts` and `normalize-rows.ts`.
 */

import { BackendError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm';
import type { WasmBackendLike } from './wasm-backend';

/** The WebAssembly JS API this file uses (a global of Node and browsers; not in the ES2022 lib). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
declare const WebAssembly: {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/** tfjs-wasm's Emscripten module: its memory and allocator. */
export interface WasmModuleLike {
  /** The single-threaded builds export their memory... */
  asm?: { memory?: WasmMemory };
  /** ...the threaded build imports a shared one, kept here. */
  wasmMemory?: WasmMemory;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** The exported functions of `wasm/kernels.c` (pointers are byte offsets into tfjs-wasm's memory). */
export interface FusedKernelExports {
  decode_attention(...args: number[]): void;
  decode_attention_qkv(...args: number[]): void;
  gelu(x: number, out: number, n: number, tanhForm: number): void;
  transpose_last2(x: number, out: number, batches: number, rows: number, cols: number): void;
  column_sums(x: number, out: number, rows: number, cols: number): void;
  batched_matmul(a: number, b: number, out: number, batch: number, m: number, k: number, n: number): void;
  gelu_erf_with_cdf(x: number, value: number, cdf: number, n: number): void;
  adamw_update(...args: number[]): void;
  normalize_rows(
    x: number,
    out: number,
    rows: number,
    cols: number,
    rms: number,
    eps: number,
    w: number,
    b: number,
  ): void;
}

/** Instances per tfjs-wasm module (null where the module cannot be instantiated). */
const instances = new WeakMap<object, FusedKernelExports | null>();

/**
 * The fused kernels for this tfjs-wasm backend, instantiated on first use against its memory: the single-threaded
 * builds' own memory, or the threaded build's shared one (the same code compiled for shared memory; the kernels run
 * on the calling thread). Null where neither is found.
 */
export function fusedKernels(backend: WasmBackendLike): FusedKernelExports | null {
  const module = backend.wasm as unknown as WasmModuleLike;
  let found = instances.get(module);
  if (found !== undefined) return found;
  found = null;
  const memory = module.asm?.memory ?? module.wasmMemory;
  if (memory instanceof WebAssembly.Memory) {
    const base64 =
      memory.buffer instanceof SharedArrayBuffer ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64;
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    found = instance.exports as unknown as FusedKernelExports;
  }
  instances.set(module, found);
  return found;
}

/** {@link fusedKernels} for a kernel function about to run: a clear error where the module cannot run. */
export function requireFusedKernels(backend: WasmBackendLike, kernelName: string): FusedKernelExports {
  const found = fusedKernels(backend);
  if (!found)
    throw new BackendError(
      `The fused wasm kernel ${kernelName} cannot run on this tfjs-wasm module (its memory was not found). ` +
        'Call it through its @ocrm/backend-wasm function (decodeAttention, normalizeRows, fusedGelu, ...), which falls ' +
        'back to tensor ops there.',
    );
  return found;
}

/**
 * True when the fused wasm kernel `kernelName` can run now: the active backend is wasm, `installWasmFixes`
 * registered the kernel, no gradient tape is recording (the kernels have no gradients) and the module instantiates.
 */
export function fusedKernelReady(kernelName: string): boolean {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(kernelName, 'wasm')) return false;
  const engine = tf.engine() as unknown as { isTapeOn?: () => boolean };
  if (engine.isTapeOn?.() !== false) return false;
  return fusedKernels(tf.backend() as unknown as WasmBackendLike) !== null;
}

/** Runs `fn` with a temporary buffer of `floats` float32 values in tfjs-wasm's heap (its byte offset), freed after. */
export function withScratch(backend: WasmBackendLike, floats: number, fn: (scratch: number) => void): void {
  const module = backend.wasm as unknown as WasmModuleLike;
  const scratch = module._malloc(floats * 4);
  try {
    fn(scratch);
  } finally {
    module._free(scratch);
  }
}

/** Heap byte offset of a tensor's data on the wasm backend. */
export function heapOffset(backend: WasmBackendLike, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}
