import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setBackendForTests } from './init-backend';
import {
  expectNoBufferLeak,
  restoreBackendAndFixes,
  seeded,
  stockAndFixed,
} from './test-support/kernel-test-helpers';
import { batchedFusedMatMul, batchedXnnMatMul } from './untransposed-matmul';
import type { WasmBackendLike } from './wasm-backend';
import { installWasmFixes } from './wasm-fixes';

restoreBackendAndFixes();

describe('untransposed and batched matmul kernels on wasm', () => {
  const BATCHED: [string, number[], number[], boolean, boolean][] = [
    ['per-entry XNNPACK, plain', [6, 9, 5], [6, 5, 7], false, false],
    ['per-entry XNNPACK, transposeB', [2, 3, 9, 5], [2, 3, 7, 5], false, true],
    ['per-entry XNNPACK, transposeA', [4, 5, 9], [4, 5, 7], true, false],
    ['scalar loop (1 row), transposeB', [6, 1, 5], [6, 7, 5], false, true],
    ['scalar loop (3 rows), plain', [6, 3, 5], [6, 5, 7], false, false],
  ];

  it.each(BATCHED)(
    'batched matMul (%s) equals the stock wasm kernel and leaks nothing',
    async (_, sa, sb, ta, tb) => {
      const a = seeded(sa, 11);
      const b = seeded(sb, 12);
      const [want, got] = await stockAndFixed(() => tf.matMul(a, b, ta, tb));
      expect(got[0]!.length).toBe(want[0]!.length);
      want[0]!.forEach((w, i) => {
        expect(Math.abs(got[0]![i]! - w)).toBeLessThan(1e-5);
      });
      expectNoBufferLeak(() => tf.matMul(a, b, ta, tb).dispose());
      tf.dispose([a, b]);
    },
  );

  it('run batched products of ≥ 8 rows as per-entry XNNPACK products that free their operators', async () => {
    await setBackendForTests('wasm');
    const a = seeded([64, 16, 8], 13);
    const b = seeded([64, 8, 16], 14);
    const [want, got] = await stockAndFixed(() => tf.matMul(a, b));
    want[0]!.forEach((w, i) => {
      expect(Math.abs(got[0]![i]! - w)).toBeLessThan(1e-5);
    });
    // Repeated calls reuse nothing stale: the same inputs give the same output every time.
    const first = tf.matMul(a, b);
    for (let i = 0; i < 3; i++) {
      const again = tf.matMul(a, b);
      expect(Array.from(again.dataSync())).toEqual(Array.from(first.dataSync()));
      again.dispose();
    }
    tf.dispose([a, b, first]);
  });

  it.each([
    [128, 39, 16, 39],
    [128, 39, 39, 16],
    [64, 64, 64, 32],
    [3, 9, 5, 7],
    [2, 8, 1, 3],
    [5, 13, 33, 10],
    [4, 11, 130, 9],
  ])(
    'the fused batched_matmul gives the bits of per-entry XNNPACK products: [%i, %i, %i] x [., ., %i]',
    async (batch, M, K, N) => {
      await setBackendForTests('wasm');
      installWasmFixes();
      const wasm = tf.backend() as unknown as WasmBackendLike;
      const a = seeded([batch, M, K], 15);
      const b = seeded([batch, K, N], 16);
      const read = (out: tf.TensorInfo | undefined) => {
        const values = Array.from(wasm.typedArrayFromHeap(out!));
        wasm.disposeData(out!.dataId);
        return values;
      };
      const dims = { M, K, N };
      const fused = read(batchedFusedMatMul(wasm, a, b, batch, dims, [batch, M, N]));
      const xnn = read(batchedXnnMatMul(wasm, a, b, batch, dims, [batch, M, N]));
      expect(fused.length).toBe(batch * M * N);
      expect(fused).toEqual(xnn);
      tf.dispose([a, b]);
    },
  );
});
