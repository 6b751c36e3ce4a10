import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setBackendForTests } from './init-backend';
import { restoreBackendAndFixes } from './test-support/kernel-test-helpers';
import { installWasmFixes, wasmFixesInstalled } from './wasm-fixes';

restoreBackendAndFixes();

// Each kernel has its own test file (unsorted-segment-sum, matmul-gradient, untransposed-matmul, in-place-slice,
// in-place-split-v, row-gather, decode-attention, normalize-rows, gelu).
describe('installWasmFixes', () => {
  it('are installed by setBackendForTests / initBackend and idempotent', async () => {
    expect(await setBackendForTests('wasm')).toBe(true);
    installWasmFixes();
    installWasmFixes();
    expect(wasmFixesInstalled()).toBe(true);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });
});
