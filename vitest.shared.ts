import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Shared vitest config of every workspace package.
 * - `@ocrm/*` imports resolve to the packages' sources, so tests never see a half-rebuilt `dist/`.
 * - Two forks at most: CI has 2 cores and tfjs-wasm is single-threaded per process.
 * - `test/setup.ts` selects the backend (`OCRM_BACKEND`, default wasm) before any tensor exists.
 */
export function ocrmVitestConfig(overrides: { include?: string[]; testTimeout?: number } = {}) {
  return defineConfig({
    resolve: {
      alias: [
        { find: /^@ocrm\/([a-z-]+)\/test$/, replacement: `${root}packages/$1/src/test/index.ts` },
        { find: /^@ocrm\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      ],
    },
    test: {
      include: overrides.include ?? ['src/**/*.test.ts'],
      setupFiles: [`${root}scripts/vitest-setup.ts`],
      pool: 'forks',
      poolOptions: { forks: { maxForks: 2, minForks: 1 } },
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 60_000,
    },
  });
}
