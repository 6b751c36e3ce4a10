import { BackendError, InvalidArgumentError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { MAX_WASM_THREADS, registerThreadedWasm } from './threaded-wasm';
import { installWasmFixes } from './wasm-fixes';

/** Backends OCRM knows, fastest first. `node-gpu`/`node` are tfjs's `tensorflow` backend (libtensorflow). */
export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';

/** Default order tried by {@link initBackend}. */
export const BACKEND_ORDER: readonly BackendName[] = Object.freeze(['node-gpu', 'node', 'wasm', 'cpu']);

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * One backend (forced: an error if it cannot load) or a list tried in order (first that loads wins).
   * Default: `['node-gpu', 'node', 'wasm', 'cpu']`. The `OCRM_BACKEND` environment variable overrides it.
   */
  prefer?: BackendName | readonly BackendName[];
  /** Install the wasm fixes (`installWasmFixes`). Default true. */
  wasmFixes?: boolean;
  /**
   * XNNPACK threads of the wasm backend: a count (1..8) or `'auto'` (this machine's available parallelism, at most
   * 8). Default 1. Above 1 under Node, tfjs-wasm's threaded SIMD build is loaded instead (`registerThreadedWasm`):
   * the same numbers, bit for bit. The `OCRM_WASM_THREADS` environment variable overrides it. Ignored by the other
   * backends.
   */
  threads?: number | 'auto';
}

/** What {@link initBackend} selected and why the others were skipped. */
export interface BackendReport {
  /** The selected backend. */
  name: BackendName;
  /** tfjs's own name of it (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Every backend tried, in order, with the reason of each failure. */
  tried: { name: BackendName; ok: boolean; reason?: string }[];
  /** Whether the wasm fixes are installed. */
  wasmFixes: boolean;
  /** XNNPACK threads of the wasm backend (1 for the other backends). */
  threads: number;
  /**
   * What a user should know about the choice: the GPU package loaded but TensorFlow found no GPU (it runs on the
   * CPU), or the slow `cpu` fallback was taken. Applications print them.
   */
  warnings: string[];
}

/** libtensorflow 2.9.1 (what tfjs-node-gpu 4.22 downloads) needs these on the machine to use an NVIDIA GPU. */
export const GPU_REQUIREMENTS =
  'an NVIDIA GPU with its driver, CUDA 11.2 and cuDNN 8.1 (libtensorflow 2.9.1, what @tensorflow/tfjs-node-gpu 4.22 runs)';

/**
 * Why the active `tensorflow` backend is not on a GPU, or undefined when it is. tfjs-node's backend reports
 * `isUsingGpuDevice` (libtensorflow saw a GPU device) and `isGPUPackage` (the GPU build was loaded); a GPU package on a
 * machine without a usable GPU silently runs on the CPU.
 * @param backend - `tf.backend()` after selecting `tensorflow`.
 */
export function gpuProblem(backend: unknown): string | undefined {
  const b = backend as { isUsingGpuDevice?: unknown; isGPUPackage?: unknown } | undefined;
  if (b?.isUsingGpuDevice === true) return undefined;
  if (b?.isGPUPackage === false) return 'the CPU build of libtensorflow was loaded, not the GPU one';
  return `TensorFlow found no usable GPU and runs on the CPU (it needs ${GPU_REQUIREMENTS})`;
}

const PACKAGES: Record<BackendName, string | undefined> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: undefined,
};

const TF_NAMES: Record<BackendName, string> = {
  'node-gpu': 'tensorflow',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

const INSTALL_HINTS: Record<BackendName, string> = {
  'node-gpu':
    'npm i @tensorflow/tfjs-node-gpu@4.22.0 (needs CUDA/cuDNN and network access to download libtensorflow at install)',
  node: 'npm i @tensorflow/tfjs-node@4.22.0 (its install script downloads libtensorflow; a failed download leaves it unusable)',
  wasm: 'npm i @tensorflow/tfjs-backend-wasm@4.22.0',
  cpu: 'the cpu backend ships with @tensorflow/tfjs; check that @tensorflow/tfjs 4.22.0 is installed',
};

function isBackendName(name: string): name is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}

function candidates(prefer: InitBackendOptions['prefer']): { names: BackendName[]; forced: boolean } {
  const env = process.env.OCRM_BACKEND?.trim();
  const chosen = env ? env : prefer;
  if (chosen === undefined) return { names: [...BACKEND_ORDER], forced: false };
  const list = typeof chosen === 'string' ? chosen.split(',').map((s) => s.trim()) : [...chosen];
  for (const name of list) {
    if (!isBackendName(name)) {
      throw new InvalidArgumentError(
        `Unknown backend "${name}"${env ? ' in OCRM_BACKEND' : ''}; use one of ${BACKEND_ORDER.join(', ')}.`,
      );
    }
  }
  return { names: list as BackendName[], forced: list.length === 1 };
}

/**
 * The wasm thread count asked for: `OCRM_WASM_THREADS`, else `threads`, else 1; `'auto'` is this machine's available
 * parallelism (at most 8).
 * @throws InvalidArgumentError for anything but an integer in 1..8 or `auto`.
 */
export async function wasmThreadsWanted(threads: InitBackendOptions['threads']): Promise<number> {
  const env = process.env.OCRM_WASM_THREADS?.trim();
  const chosen = env ? env : (threads ?? 1);
  if (chosen === 'auto') {
    const os = await import('node:os');
    return Math.min(MAX_WASM_THREADS, os.availableParallelism());
  }
  const n = typeof chosen === 'number' ? chosen : /^\d+$/.test(chosen) ? Number(chosen) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new InvalidArgumentError(
      `wasm threads must be an integer in 1..${MAX_WASM_THREADS} or "auto", got "${chosen}"${env ? ' in OCRM_WASM_THREADS' : ''}.`,
    );
  }
  return n;
}

async function tryBackend(name: BackendName, threads: number): Promise<void> {
  const pkg = PACKAGES[name];
  if (pkg) {
    const specifier = pkg; // a variable specifier: bundlers and tsc leave the optional import alone
    await import(/* @vite-ignore */ specifier);
    if (name === 'wasm' && threads > 1) await registerThreadedWasm(threads);
  }
  const ok = await tf.setBackend(TF_NAMES[name]);
  if (!ok) throw new Error(`tf.setBackend('${TF_NAMES[name]}') returned false (initialisation failed)`);
  await tf.ready();
}

/**
 * Selects the TensorFlow.js backend for the process: tries `node-gpu`, `node`, `wasm`, `cpu` (or `prefer`, or
 * `OCRM_BACKEND`) by dynamic import and keeps the first that loads; a package installed without its native part
 * throws on import and is skipped with the reason recorded. Installs the wasm fixes unless `wasmFixes: false`, and
 * enables tfjs prod mode. Call it once at application start, before creating tensors; libraries never call it.
 *
 * `node-gpu` counts only when TensorFlow actually uses a GPU device (see {@link gpuProblem}): forced, a GPU package on
 * a machine without a usable GPU is an error naming what to install; in the default order it is kept as `node` (the
 * same libtensorflow on the CPU) with a warning. A fallback to the slow `cpu` backend is warned about too.
 *
 * @throws BackendError when a forced backend (a single name) cannot be loaded (or `node-gpu` finds no GPU), saying
 *   how to install it, or when no listed backend loads.
 * @example
 * const report = await initBackend({ prefer: ['wasm', 'cpu'] });
 * console.log(`backend: ${report.name}`);
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const { names, forced } = candidates(options.prefer);
  const wasmFixes = options.wasmFixes ?? true;
  const threads = await wasmThreadsWanted(options.threads);
  tf.enableProdMode();
  const tried: BackendReport['tried'] = [];
  for (const name of names) {
    try {
      await tryBackend(name, threads);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
      tried.push({ name, ok: false, reason });
      if (forced) {
        throw new BackendError(`The "${name}" TensorFlow.js backend cannot be loaded: ${reason}`, {
          cause,
          hint: `${INSTALL_HINTS[name]}; or pick another with OCRM_BACKEND=${BACKEND_ORDER.join('|')}.`,
        });
      }
      continue;
    }
    const warnings: string[] = [];
    let selected = name;
    if (name === 'node-gpu') {
      const problem = gpuProblem(tf.backend());
      if (problem && forced) {
        throw new BackendError(`The "node-gpu" backend loaded, but ${problem}.`, {
          hint: `install ${GPU_REQUIREMENTS}, check it with nvidia-smi; or run on the CPU with --backend node / wasm.`,
        });
      }
      if (problem) {
        // The native CPU backend is already loaded (and faster than wasm): keep it, and say what it is.
        warnings.push(`@tensorflow/tfjs-node-gpu loaded, but ${problem}: running libtensorflow on the CPU.`);
        selected = 'node';
      }
    }
    if (name === 'cpu' && !forced) {
      warnings.push(
        'fell back to the cpu backend (15-50x slower than wasm): install @tensorflow/tfjs-backend-wasm 4.22.0.',
      );
    }
    tried.push({ name, ok: true });
    if (wasmFixes) installWasmFixes();
    return {
      name: selected,
      tfBackend: tf.getBackend(),
      tried,
      wasmFixes,
      warnings,
      threads: name === 'wasm' ? threads : 1,
    };
  }
  throw new BackendError(
    `No TensorFlow.js backend could be loaded (tried ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}).`,
    { hint: 'install @tensorflow/tfjs 4.22.0 (cpu) or @tensorflow/tfjs-backend-wasm 4.22.0' },
  );
}

/**
 * Switches tests to one backend (with the wasm fixes), e.g. inside a `describeEachBackend` helper. Resolves to
 * false when the backend cannot be loaded here, so the caller can skip. Ignores `OCRM_BACKEND`.
 */
export async function setBackendForTests(name: BackendName): Promise<boolean> {
  try {
    await tryBackend(name, 1);
    installWasmFixes();
    return true;
  } catch {
    return false;
  }
}
