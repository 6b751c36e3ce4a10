import { BackendError, InvalidArgumentError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gpuProblem, initBackend, setBackendForTests, wasmThreadsWanted } from './init-backend';
import { wasmFixesInstalled } from './wasm-fixes';

let initial: string;
let savedEnv: string | undefined;
beforeAll(() => {
  initial = tf.getBackend();
  savedEnv = process.env.OCRM_BACKEND;
  delete process.env.OCRM_BACKEND;
});
afterEach(() => {
  delete process.env.OCRM_BACKEND;
  delete process.env.OCRM_WASM_THREADS;
});
afterAll(async () => {
  if (savedEnv !== undefined) process.env.OCRM_BACKEND = savedEnv;
  await tf.setBackend(initial);
});

describe('initBackend', () => {
  it('falls through missing native backends to wasm, recording why', async () => {
    const report = await initBackend({ prefer: ['node-gpu', 'node', 'wasm', 'cpu'] });
    expect(report.name).toBe('wasm');
    expect(report.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.tried.map((t) => [t.name, t.ok])).toEqual([
      ['node-gpu', false],
      ['node', false],
      ['wasm', true],
    ]);
    expect(report.tried[0]?.reason).toMatch(/tfjs-node-gpu/);
    expect(report.wasmFixes).toBe(true);
    expect(report.threads).toBe(1);
    expect(wasmFixesInstalled()).toBe(true);
  });

  it('wasmThreadsWanted: 1 by default, a count, auto, OCRM_WASM_THREADS first; anything else an argument error', async () => {
    expect(await wasmThreadsWanted(undefined)).toBe(1);
    expect(await wasmThreadsWanted(3)).toBe(3);
    const auto = await wasmThreadsWanted('auto');
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(8);
    process.env.OCRM_WASM_THREADS = '2';
    expect(await wasmThreadsWanted(4)).toBe(2);
    for (const bad of ['0', '9', '1.5', 'two']) {
      process.env.OCRM_WASM_THREADS = bad;
      await expect(wasmThreadsWanted(undefined)).rejects.toThrow(/OCRM_WASM_THREADS/);
    }
    delete process.env.OCRM_WASM_THREADS;
    await expect(wasmThreadsWanted(0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(initBackend({ prefer: 'wasm', threads: 9 })).rejects.toThrow(/1\.\.8/);
  });

  it('warns when it falls back to the slow cpu backend, not when cpu is asked for', async () => {
    const fallback = await initBackend({ prefer: ['node', 'cpu'] });
    expect(fallback.name).toBe('cpu');
    expect(fallback.warnings).toEqual([
      expect.stringMatching(/fell back to the cpu backend.*tfjs-backend-wasm/),
    ]);
    expect((await initBackend({ prefer: 'cpu' })).warnings).toEqual([]);
    expect((await initBackend({ prefer: ['node', 'wasm'] })).warnings).toEqual([]);
  });

  it('gpuProblem: a GPU package counts only when libtensorflow uses a GPU device', () => {
    expect(gpuProblem({ isGPUPackage: true, isUsingGpuDevice: true })).toBeUndefined();
    expect(gpuProblem({ isGPUPackage: true, isUsingGpuDevice: false })).toMatch(
      /no usable GPU and runs on the CPU.*CUDA 11\.2 and cuDNN 8\.1/,
    );
    expect(gpuProblem({ isGPUPackage: false, isUsingGpuDevice: false })).toMatch(
      /CPU build of libtensorflow/,
    );
    expect(gpuProblem(tf.backend())).toMatch(/no usable GPU/); // wasm/cpu backends have no such flag
  });

  it('selects cpu when asked', async () => {
    const report = await initBackend({ prefer: 'cpu' });
    expect(report).toMatchObject({ name: 'cpu', tfBackend: 'cpu', tried: [{ name: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('lets OCRM_BACKEND override prefer', async () => {
    process.env.OCRM_BACKEND = 'cpu';
    expect((await initBackend({ prefer: 'wasm' })).name).toBe('cpu');
    process.env.OCRM_BACKEND = 'wasm';
    expect((await initBackend({ prefer: 'cpu' })).name).toBe('wasm');
  });

  it('throws a BackendError with install instructions for a forced missing backend', async () => {
    const error = await initBackend({ prefer: 'node' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as Error).message).toMatch(/npm i @tensorflow\/tfjs-node@4\.22\.0/);
  });

  it('rejects unknown names', async () => {
    await expect(initBackend({ prefer: 'gpu' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    process.env.OCRM_BACKEND = 'webgl';
    await expect(initBackend()).rejects.toThrow(/OCRM_BACKEND/);
  });

  it('setBackendForTests switches or reports false', async () => {
    expect(await setBackendForTests('cpu')).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
    expect(await setBackendForTests('node-gpu')).toBe(false);
    expect(await setBackendForTests('wasm')).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
  });
});
