import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe } from 'vitest';
import { setBackendForTests } from '../backend/init-backend';

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

/**
 * Runs a vitest suite once per backend (`cpu`, then `wasm`): `beforeAll` switches to the backend with
 * `setBackendForTests` (importing `@tensorflow/tfjs-backend-wasm` when needed and installing the process-global wasm
 * fixes of `installWasmFixes`), `afterAll` restores the backend that was active before. A backend
 * whose package is not installed gets a skipped suite whose title says why (and a console warning).
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
        if (!(await setBackendForTests(backend))) {
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
