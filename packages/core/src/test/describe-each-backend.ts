import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe } from 'vitest';

/** Backends {@link describeEachBackend} runs on, in order. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
/** A backend name of {@link TEST_BACKENDS}. */
export type TestBackend = (typeof TEST_BACKENDS)[number];

const PACKAGES: Record<TestBackend, string | undefined> = {
  cpu: undefined, // bundled with @tensorflow/tfjs
  wasm: '@tensorflow/tfjs-backend-wasm',
};

function isInstalled(pkg: string | undefined): boolean {
  if (!pkg) return true;
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Switches tfjs to `name` (importing `@tensorflow/tfjs-backend-wasm` for wasm); false when it cannot start. */
async function selectBackend(name: TestBackend): Promise<boolean> {
  try {
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a vitest suite once per backend (`cpu`, then `wasm`): `beforeAll` switches to the backend (importing
 * `@tensorflow/tfjs-backend-wasm` when needed), `afterAll` restores the backend that was active before. A backend
 * whose package is not installed gets a skipped suite whose title says why (and a console warning). The wasm fixes
 * and fused kernels of `@ocrm/backend-wasm` are not installed here: a test setup that wants wasm as the models run
 * it calls its `installWasmFixes()` once (this repository's vitest setup does).
 *
 * Create tensors and models inside hooks/tests (not in the describe body), so they live on the right backend.
 *
 * @example
 * describeEachBackend('maskedMean', (backend) => {
 *   it('averages valid entries', () => { ... });
 * });
 */
export function describeEachBackend(
  name: string,
  fn: (backend: TestBackend) => void,
  backends: readonly TestBackend[] = TEST_BACKENDS,
): void {
  for (const backend of backends) {
    const pkg = PACKAGES[backend];
    if (!isInstalled(pkg)) {
      const reason = `${pkg} is not installed`;
      console.warn(`describeEachBackend: skipping "${name}" on ${backend}: ${reason}.`);
      describe.skip(`${name} [${backend}] (skipped: ${reason})`, () => fn(backend));
      continue;
    }
    describe(`${name} [${backend}]`, () => {
      let previous: string | undefined;
      beforeAll(async () => {
        previous = tf.getBackend();
        if (!(await selectBackend(backend))) {
          throw new Error(
            `describeEachBackend: the ${backend} backend is installed but failed to initialise.`,
          );
        }
      });
      afterAll(async () => {
        if (previous && previous !== tf.getBackend()) {
          await tf.setBackend(previous);
          await tf.ready();
        }
      });
      fn(backend);
    });
  }
}
