import { readFileSync, writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

/** What differs between the `tsup.config.ts` of the OCRM packages, apps and examples. */
export interface OcrmTsupOptions {
  /** Entry files, relative to the package (e.g. `['src/index.ts']`). */
  entry: string[];
  /** Modules left as imports (e.g. `['vitest']` for `@ocrm/core/test`). Dependencies are external anyway. */
  external?: string[];
  /** Emit `.d.ts` files (default true; apps and examples: false). */
  dts?: boolean;
  /** Emit source maps (default true). */
  sourcemap?: boolean;
  /** Text put at the top of the output (e.g. `{ js: '#!/usr/bin/env node' }` for a CLI). */
  banner?: Options['banner'];
  /**
   * Write `dist/esm-only.cjs`, the target of the package's `"require"` export condition: `require()` of an ESM-only
   * package then fails with a message saying how to import it, instead of `ERR_PACKAGE_PATH_NOT_EXPORTED` (default
   * true for published packages; apps and examples: false).
   */
  esmOnlyStub?: boolean;
}

/** The CommonJS stub `require('<name>')` reaches: an error that says what to do. */
export function esmOnlyStub(name: string): string {
  const message =
    `${name} is an ES module only. From an ES module: import { … } from '${name}'. ` +
    `From CommonJS: const m = await import('${name}') (require() loads them on Node ≥ 20.19 and ≥ 22.12).`;
  return `'use strict';\n// ${name} ships ES modules only; this file is what require() reaches.\nconst error = new Error(${JSON.stringify(message)});\nerror.code = 'ERR_REQUIRE_ESM';\nthrow error;\n`;
}

/**
 * The shared tsup build of every OCRM package: ESM only, Node 20, `tsconfig.build.json`, code splitting, a clean
 * `dist/`. Each `tsup.config.ts` passes only what differs.
 * @example
 * // packages/policy/tsup.config.ts
 * export default ocrmTsupConfig({ entry: ['src/index.ts'] });
 */
export function ocrmTsupConfig(options: OcrmTsupOptions) {
  return defineConfig({
    entry: options.entry,
    format: ['esm'],
    tsconfig: 'tsconfig.build.json',
    dts: options.dts ?? true,
    clean: true,
    sourcemap: options.sourcemap ?? true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    ...(options.external ? { external: options.external } : {}),
    ...(options.banner ? { banner: options.banner } : {}),
    ...((options.esmOnlyStub ?? options.dts ?? true)
      ? {
          onSuccess: async () => {
            const { name } = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string };
            writeFileSync('dist/esm-only.cjs', esmOnlyStub(name));
          },
        }
      : {}),
  });
}
