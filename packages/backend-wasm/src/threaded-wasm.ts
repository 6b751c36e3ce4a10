/**
 * tfjs-wasm's threaded SIMD build under Node. tfjs 4.22 never selects it there (its `WASM_HAS_MULTITHREAD_SUPPORT`
 * flag is false under Node, tfjs issue 3830): its loader hands Emscripten a `Blob` URL for the pthread worker, which
 * Node's `worker_threads` cannot start, and the C side caps the pool at half of `emscripten_num_logical_cores()` (one
 * thread on a 2-core machine). This file builds the same backend object tfjs's own loader would, but starts the
 * shipped worker script from a file and reports the core count the caller asks for, then registers it as `wasm`.
 *
 * XNNPACK splits a product over output tiles, and every output value is still one microkernel's sum over the whole
 * inner dimension in the same order, so the numbers do not depend on the thread count (tested bit for bit).
 */
import { BackendError, InvalidArgumentError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/** The WebAssembly JS API this file uses (a global of Node and browsers; not in the ES2022 lib). */
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
};

/** Emscripten's module factory options this file sets. */
interface EmscriptenOptions {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(
    imports: { env: Record<string, unknown> },
    receive: (instance: object, module: object) => void,
  ): object;
  onAbort(what: unknown): void;
}

/** The Emscripten module of tfjs-wasm (what tfjs's `BackendWasm` constructor takes). */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
  /** Emscripten's worker pool: the pthreads' `worker_threads` Workers. */
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
}

/** The most threads tfjs-wasm's threaded build starts (its pre-created pool of workers). */
export const MAX_WASM_THREADS = 8;

/** The threaded build registered in this process: its thread count (one build per process). */
let registered: number | undefined;

/** The number of threads of the threaded wasm backend registered by {@link registerThreadedWasm}, if any. */
export function threadedWasmThreads(): number | undefined {
  return registered;
}

/**
 * Registers tfjs-wasm's threaded SIMD build as the `wasm` backend with `threads` XNNPACK threads (Node only; in a
 * browser tfjs selects it itself when the page is cross-origin isolated). Call before `tf.setBackend('wasm')`; the
 * fused kernels of `wasm/kernels.c` run on its shared memory too (their shared-memory build). Once per process: a
 * second call with another count is an error (the threads are the module's).
 *
 * @param threads - XNNPACK threads, 1..8 (1 runs the threaded build on the calling thread only).
 * @throws InvalidArgumentError for a count outside 1..8 or a different count than a previous call.
 * @throws BackendError outside Node, or when the module cannot start (its message says why).
 */
export async function registerThreadedWasm(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new InvalidArgumentError(
      `wasm threads must be an integer in 1..${MAX_WASM_THREADS}, got ${threads}.`,
    );
  }
  if (registered !== undefined) {
    if (registered === threads) return;
    throw new InvalidArgumentError(
      `The threaded wasm backend already runs ${registered} threads in this process; it cannot change to ${threads}.`,
    );
  }
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new BackendError(
      'registerThreadedWasm is for Node; in a browser tfjs-wasm selects its threaded build.',
    );
  }
  const [{ createRequire }, fs, os, path] = await Promise.all([
    import('node:module'),
    import('node:fs'),
    import('node:os'),
    import('node:path'),
  ]);
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  while (path.basename(dir) !== 'tfjs-backend-wasm' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const mainScript = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const wasmFile = path.join(dir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  const factory = require(mainScript) as (options: EmscriptenOptions) => Promise<EmscriptenModule>;
  const { wasmWorkerContents } = require(
    path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  // tfjs ships the worker as a template string whose "\n" escapes became newlines; restore them as tfjs's loader does.
  const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
  // A private directory (mode 0700, a fresh name): a predictable path in a shared temp directory could be planted.
  const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrm-tfjs-wasm-'));
  const workerFile = path.join(workerDir, 'pthread-worker.cjs');
  fs.writeFileSync(workerFile, workerSource);
  process.once('exit', () => fs.rmSync(workerDir, { recursive: true, force: true }));
  const bytes = fs.readFileSync(wasmFile);
  // Emscripten's ready promise never settles when instantiation fails or the module aborts: race it with those.
  let fail: (cause: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const loading = factory({
    locateFile: (file, prefix) =>
      file.endsWith('.worker.js') ? workerFile : file.endsWith('.wasm') ? wasmFile : prefix + file,
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm: (imports, receive) => {
      // The C side starts min(requested, cores / 2) threads: report twice the requested count as the cores.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(bytes, imports).then((result) => receive(result.instance, result.module), fail);
      return {};
    },
    onAbort: fail,
  });
  const module = await Promise.race([loading, failed]).catch((cause: unknown) => {
    throw new BackendError(`tfjs-wasm's threaded build did not start: ${String(cause)}`, { cause });
  });
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  const wasm = (await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-wasm')) as unknown as {
    BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
    setThreadsCount(n: number): void;
    getThreadsCount(): number;
  };
  wasm.setThreadsCount(threads);
  const backend = new wasm.BackendWasm(module);
  const started = wasm.getThreadsCount();
  if (started !== threads) {
    throw new BackendError(`tfjs-wasm's threaded build started ${started} threads instead of ${threads}.`);
  }
  // The pool's threads wait for work forever; unreferenced, they do not keep the process alive at its end.
  for (const worker of [
    ...(module.PThread?.runningWorkers ?? []),
    ...(module.PThread?.unusedWorkers ?? []),
  ]) {
    worker.unref();
  }
  if (tf.findBackend('wasm') || tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => backend, 2);
  registered = threads;
}
