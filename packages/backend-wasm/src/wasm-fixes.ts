/**
 * Fixes for the tfjs-wasm backend (tfjs 4.22), measured in docs/stack.md:
 *
 * (a) **Matmul gradient without transposed products.** The stock `BatchMatMul` gradient computes `dy·bᵀ` and
 *     `aᵀ·dy` with `transposeA`/`transposeB`, which wasm runs in a scalar loop 10–45× slower than XNNPACK's plain
 *     2-D matmul (a small GPT training step: 1796 ms → ~400 ms with the fix). The replacement transposes explicitly
 *     (`tf.transpose`) and multiplies untransposed. It is used only while the active backend is `wasm`; on every
 *     other backend the stock gradient runs unchanged. It also sums over broadcast batch dimensions.
 * (b) **`UnsortedSegmentSum` kernel.** wasm has none, and the gradient of `tf.gather` (embedding backward) needs
 *     it. A small JS kernel (read input, scatter-add on the host, write output) is registered for `wasm` only.
 *
 * (c) **Untransposed matmul kernels.** The wasm `BatchMatMul` and `_FusedMatMul` kernels are wrapped so that a
 *     `transposeA`/`transposeB` product transposes explicitly first and multiplies untransposed: this speeds up
 *     forward passes that ask for transposed products and the gradient of `tf.fused.matMul` (a custom gradient that
 *     (a) cannot reach). Batched `BatchMatMul` products (attention) run as one XNNPACK product per batch entry on
 *     zero-copy views of the operands when each entry has ≥ 8 rows (64 `[64,32]×[32,64]` products: ~1 ms instead of
 *     ~6.7 ms in the scalar loop); thinner ones (a decoding step's single query row) stay in the scalar loop, which
 *     reads transposed operands in place (no transpose copy of a KV cache).
 * (d) **In-place `Slice`, `SplitV` and row `GatherV2`.** The stock `Slice`/`SplitV` copy their whole input out of the
 *     heap before copying the part; the stock `GatherV2` costs ~2–4 µs per index. The replacements copy only what
 *     they return, as contiguous runs inside the heap (float32/int32/bool; other cases use the stock kernels).
 * (e) **Fused kernels** compiled from `wasm/kernels.c` (see `wasm-module.ts`): `OcrmDecodeAttention`, one decoding
 *     step's cache append and single-query attention in one call (`decode-attention.ts`; `OcrmDecodeAttentionQkv` also
 *     splits, rotates and scales a fused q/k/v projection's rows), `OcrmNormalizeRows`, the weight-free part of
 *     LayerNorm / RMSNorm (`normalize-rows.ts`), `OcrmGelu` (`gelu.ts`) and `OcrmColumnSums` (`column-sums.ts`);
 *     used only where no gradient tape records.
 * (f) **Zero-copy `Identity`.** The stock kernel copies its input; tfjs calls it for every tensor saved for a
 *     gradient (~200 copies per training step of a small GPT). The replacement shares the input's buffer
 *     (`shared-identity.ts`).
 * (g) **Cache-blocked `Transpose`** of the last two axes (`blocked-transpose.ts`, compiled in `wasm/kernels.c`): the
 *     stock loop thrashes the cache on power-of-two row counts (`[1024, 128]`: ~1 ms); the same bits, tiled.
 *
 * All are process-global (tfjs registries are global), idempotent (a `globalThis` marker, so two installed copies of
 * `@ocrm/backend-wasm` install them once), and undone by {@link uninstallWasmFixes}.
 */
import { ADAMW_KERNEL } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { adamwUpdateKernel } from './adamw-update';
import { blockedTransposeKernel } from './blocked-transpose';
import { COLUMN_SUMS_KERNEL, columnSumsKernel } from './column-sums';
import {
  DECODE_ATTENTION_KERNEL,
  DECODE_ATTENTION_QKV_KERNEL,
  decodeAttentionKernel,
  decodeAttentionQkvKernel,
} from './decode-attention';
import { GELU_ERF_WITH_CDF_KERNEL, GELU_KERNEL, geluErfWithCdfKernel, geluKernel } from './gelu';
import { inPlaceSliceKernel } from './in-place-slice';
import { inPlaceSplitVKernel } from './in-place-split-v';
import { matMulGrad } from './matmul-gradient';
import { NORMALIZE_ROWS_KERNEL, normalizeRowsKernel } from './normalize-rows';
import { rowGatherKernel } from './row-gather';
import { sharedIdentityKernel } from './shared-identity';
import { unsortedSegmentSumWasm } from './unsorted-segment-sum';
import { untransposedMatMulKernel } from './untransposed-matmul';

const MARKER = Symbol.for('@ocrm/backend-wasm/wasm-fixes');

interface FixState {
  gradientInstalled?: boolean;
  originalGradient?: tf.GradConfig;
  kernelInstalled: boolean;
  /** The fused kernels of `wasm/kernels.c` this install registered. */
  fusedKernels?: string[];
  wrappedKernels: Record<string, tf.KernelConfig>;
}

type GlobalWithMarker = typeof globalThis & { [MARKER]?: FixState };

/** True once {@link installWasmFixes} ran (in this process, by any copy of `@ocrm/backend-wasm`). */
export function wasmFixesInstalled(): boolean {
  return (globalThis as GlobalWithMarker)[MARKER] !== undefined;
}

const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/** Wrapped wasm kernels and their replacements (given the stock kernel function). */
const WRAPPED_KERNELS: Record<string, (original: tf.KernelFunc, name: string) => tf.KernelFunc> = {
  ...Object.fromEntries(MATMUL_KERNELS.map((name) => [name, untransposedMatMulKernel])),
  Slice: inPlaceSliceKernel,
  SplitV: inPlaceSplitVKernel,
  GatherV2: rowGatherKernel,
  Identity: sharedIdentityKernel,
  Transpose: blockedTransposeKernel,
};

/** The fused kernels of `wasm/kernels.c` (see (e)). */
const FUSED_KERNELS: [string, tf.KernelFunc][] = [
  [DECODE_ATTENTION_KERNEL, decodeAttentionKernel],
  [DECODE_ATTENTION_QKV_KERNEL, decodeAttentionQkvKernel],
  [NORMALIZE_ROWS_KERNEL, normalizeRowsKernel],
  [GELU_KERNEL, geluKernel],
  [COLUMN_SUMS_KERNEL, columnSumsKernel],
  [GELU_ERF_WITH_CDF_KERNEL, geluErfWithCdfKernel],
  [ADAMW_KERNEL, adamwUpdateKernel],
];

/**
 * Installs the wasm fixes (see the module comment): the `BatchMatMul` gradient override (effective only while the
 * backend is `wasm`), a wasm `UnsortedSegmentSum` kernel, wrappers of the wasm `BatchMatMul` / `_FusedMatMul`
 * kernels (explicit transposes, per-entry XNNPACK products), in-place `Slice`, `SplitV` and `GatherV2` kernels, a
 * zero-copy `Identity`, a cache-blocked `Transpose` and the fused kernels of `wasm/kernels.c`. Process-global and idempotent: a later call adds only
 * what is missing (the kernel wrappers need `@tensorflow/tfjs-backend-wasm` imported first; `initBackend` does that, then calls this
 * unless `wasmFixes: false`).
 */
export function installWasmFixes(): void {
  const g = globalThis as GlobalWithMarker;
  const state: FixState = g[MARKER] ?? { kernelInstalled: false, wrappedKernels: {} };
  g[MARKER] = state;
  if (!state.gradientInstalled) {
    const original = tf.getGradient('BatchMatMul');
    state.originalGradient = original;
    tf.registerGradient({
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved, attrs) => {
        if (tf.getBackend() !== 'wasm' && original) return original.gradFunc(dy, saved, attrs);
        const [a, b] = saved as tf.Tensor[];
        const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
        return matMulGrad(dy as tf.Tensor, a as tf.Tensor, b as tf.Tensor, transposeA, transposeB);
      },
    });
    state.gradientInstalled = true;
  }
  if (!state.kernelInstalled && !tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: unsortedSegmentSumWasm,
    });
    state.kernelInstalled = true;
  }
  state.fusedKernels ??= [];
  for (const [kernelName, kernelFunc] of FUSED_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    state.fusedKernels.push(kernelName);
  }
  for (const [name, wrap] of Object.entries(WRAPPED_KERNELS)) {
    const original = tf.getKernel(name, 'wasm');
    if (state.wrappedKernels[name] || !original) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc, name) });
    state.wrappedKernels[name] = original;
  }
}

/** Undoes {@link installWasmFixes}: restores the stock gradient and kernels, removes the added kernel. For tests. */
export function uninstallWasmFixes(): void {
  const g = globalThis as GlobalWithMarker;
  const state = g[MARKER];
  if (!state) return;
  if (state.gradientInstalled && state.originalGradient) tf.registerGradient(state.originalGradient);
  if (state.kernelInstalled) tf.unregisterKernel('UnsortedSegmentSum', 'wasm');
  for (const name of state.fusedKernels ?? []) tf.unregisterKernel(name, 'wasm');
  for (const [name, original] of Object.entries(state.wrappedKernels)) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original);
  }
  delete g[MARKER];
}
