import { ADAMW_KERNEL, AdamW } from '@ocrm/core';
import { restoreBackendAfterAll } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adamwUpdateKernel } from './adamw-update';
import { setBackendForTests } from './init-backend';
import { seeded } from './test-support/kernel-test-helpers';
import { installWasmFixes } from './wasm-fixes';

restoreBackendAfterAll();

/** Runs 4 AdamW steps (a variable joining at the second) and returns the variables' and moments' bits. */
function fourSteps(weightDecay: number): number[][] {
  const [a, b] = [seeded([37, 21], 3), seeded([64], 4)].map((init) => {
    const variable = tf.variable(init);
    init.dispose();
    return variable;
  }) as [tf.Variable, tf.Variable];
  const opt = new AdamW({ weightDecay });
  for (const [k, lr] of [3e-3, 2e-3, 1e-3, 5e-4].entries()) {
    tf.tidy(() => {
      const grads: Record<string, tf.Tensor> = { a: seeded([37, 21], 10 + k) };
      if (k > 0) grads.b = seeded([64], 20 + k);
      opt.step({ a, b }, grads, lr);
    });
  }
  const state = opt.getState();
  const out = [a, b].map((v) => Array.from(v.dataSync()));
  for (const name of ['a', 'b'])
    out.push(Array.from(state.moments[name]!.m), Array.from(state.moments[name]!.v));
  opt.dispose();
  tf.dispose([a, b]);
  return out;
}

describe('the fused AdamW kernel (wasm)', () => {
  it.each([0.01, 0])(
    'gives the bits of the tensor-op update (weight decay %s), and leaks nothing',
    async (wd) => {
      await setBackendForTests('wasm');
      installWasmFixes();
      expect(tf.getKernel(ADAMW_KERNEL, 'wasm')).toBeDefined();
      const before = tf.memory().numTensors;
      const fused = fourSteps(wd);
      expect(tf.memory().numTensors).toBe(before);
      tf.unregisterKernel(ADAMW_KERNEL, 'wasm');
      try {
        expect(fourSteps(wd)).toEqual(fused);
      } finally {
        tf.registerKernel({ kernelName: ADAMW_KERNEL, backendName: 'wasm', kernelFunc: adamwUpdateKernel });
      }
    },
  );
});
