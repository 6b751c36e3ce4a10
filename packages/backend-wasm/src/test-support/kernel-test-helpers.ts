/**
 * What the tests of the wasm kernels share: seeded inputs, a stock-vs-fixed comparison and a leak check that also
 * counts backend buffers. Each test file restores the backend it started with.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import { setBackendForTests } from '../init-backend';
import { installWasmFixes, uninstallWasmFixes } from '../wasm-fixes';

/** Registers hooks that put back the backend (and the installed fixes) a test file started with. */
export function restoreBackendAndFixes(): void {
  let initial: string;
  beforeAll(() => {
    initial = tf.getBackend();
  });
  afterAll(async () => {
    installWasmFixes();
    await tf.setBackend(initial);
  });
}

/** A uniform [-1, 1) float32 tensor of `shape` from `seed`. */
export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** Runs `fn` on wasm with the stock kernels and with the fixes; returns both results as host arrays. */
export async function stockAndFixed(fn: () => tf.Tensor | tf.Tensor[]): Promise<[number[][], number[][]]> {
  await setBackendForTests('wasm');
  const read = () =>
    tf.tidy(() => {
      const out = fn();
      return (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()));
    });
  uninstallWasmFixes();
  let stock: number[][];
  try {
    stock = read();
  } finally {
    installWasmFixes();
  }
  return [stock, read()];
}

/** Asserts that `fn` leaves no tensor and no backend buffer behind. */
export function expectNoBufferLeak(fn: () => void): void {
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  fn();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.engine().backend.numDataIds()).toBe(buffers);
}
