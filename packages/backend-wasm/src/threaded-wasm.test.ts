import { InvalidArgumentError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedGeluErfWithCdf } from './gelu';
import { MAX_WASM_THREADS, registerThreadedWasm, threadedWasmThreads } from './threaded-wasm';
import type { WasmBackendLike } from './wasm-backend';
import { fusedKernels } from './wasm-module';

/**
 * A training step's worth of wasm work, as raw float32 bits: products of a digest-sized and a small-model-sized
 * layer (XNNPACK splits these across threads), attention's batched products, a two-layer MLP's loss gradients
 * (matmul gradients, bias sums, softmax cross-entropy) and a fused kernel.
 */
function workload(): Uint32Array[] {
  const floats = tf.tidy(() => {
    const x = tf.randomUniform([312, 256], -1, 1, 'float32', 1);
    const w1 = tf.randomUniform([256, 512], -0.1, 0.1, 'float32', 2);
    const b1 = tf.randomUniform([512], -0.1, 0.1, 'float32', 3);
    const w2 = tf.randomUniform([512, 64], -0.1, 0.1, 'float32', 4);
    const labels = tf.oneHot(tf.randomUniform([312], 0, 64, 'int32', 5), 64);
    const q = tf.randomUniform([32, 39, 16], -1, 1, 'float32', 6);
    const k = tf.randomUniform([32, 16, 39], -1, 1, 'float32', 7);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.relu(tf.add(tf.matMul(x, a), b)), c)) as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(loss)([w1, b1, w2]);
    const gelu = fusedGeluErfWithCdf(tf.matMul(x, w1));
    if (!gelu) throw new Error('the fused GELU kernel did not run');
    const outs = [
      tf.matMul(x, w1),
      tf.matMul(x, w1, false, false),
      tf.matMul(q, k),
      tf.matMul(q, k, true, true),
      value,
      ...grads,
      ...gelu,
    ];
    return outs.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
  return floats.map((f) => new Uint32Array(f.buffer));
}

describe('registerThreadedWasm', () => {
  it('rejects thread counts outside 1..8', async () => {
    await expect(registerThreadedWasm(0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(registerThreadedWasm(MAX_WASM_THREADS + 1)).rejects.toThrow(/1\.\.8/);
    await expect(registerThreadedWasm(1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('runs two XNNPACK threads with the bits of the single-threaded build, fused kernels included', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const single = workload();
    expect(fusedKernels(tf.backend() as unknown as WasmBackendLike)).not.toBeNull();

    await registerThreadedWasm(2);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(threadedWasmThreads()).toBe(2);
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    expect(wasm.getThreadsCount()).toBe(2);
    const module = (tf.backend() as unknown as { wasm: { wasmMemory?: { buffer: ArrayBufferLike } } }).wasm;
    expect(module.wasmMemory?.buffer).toBeInstanceOf(SharedArrayBuffer);
    // The fused kernels' shared-memory build runs here (not the tensor-op fallback).
    expect(fusedKernels(tf.backend() as unknown as WasmBackendLike)).not.toBeNull();

    const before = tf.memory().numTensors;
    const threaded = workload();
    expect(tf.memory().numTensors).toBe(before);
    expect(threaded.length).toBe(single.length);
    for (let i = 0; i < single.length; i++) expect(threaded[i], `output ${i}`).toEqual(single[i]);
  });

  it('is registered once per process: the same count again is a no-op, another one an error', async () => {
    await registerThreadedWasm(2);
    await expect(registerThreadedWasm(3)).rejects.toThrow(/already runs 2 threads/);
  });
});
