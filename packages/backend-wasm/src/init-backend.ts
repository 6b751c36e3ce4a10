import { BackendError, InvalidArgumentError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
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
  /** wasm threads (opt-in; tfjs-wasm 4.22 ignores it under Node unless a worker shim is set up). */
  threads?: number;
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

async function tryBackend(name: BackendName, threads: number | undefined): Promise<void> {
  const pkg = PACKAGES[name];
  if (pkg) {
    const specifier = pkg; // a variable specifier: bundlers and tsc leave the optional import alone
    const mod = (await import(/* @vite-ignore */ specifier)) as { setThreadsCount?: (n: number) => void };
    if (name === 'wasm' && threads !== undefined) mod.setThreadsCount?.(threads);
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
 * @throws BackendError when a forced backend (a single name) cannot be loaded, saying how to install it, or when no
 *   listed backend loads.
 * @example
 * const report = await initBackend({ prefer: ['wasm', 'cpu'] });
 * console.log(`backend: ${report.name}`);
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const { names, forced } = candidates(options.prefer);
  const wasmFixes = options.wasmFixes ?? true;
  tf.enableProdMode();
  const tried: BackendReport['tried'] = [];
  for (const name of names) {
    try {
      await tryBackend(name, options.threads);
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
    tried.push({ name, ok: true });
    if (wasmFixes) installWasmFixes();
    return { name, tfBackend: tf.getBackend(), tried, wasmFixes };
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
    await tryBackend(name, undefined);
    installWasmFixes();
    return true;
  } catch {
    return false;
  }
}
