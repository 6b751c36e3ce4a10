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
  });
}
