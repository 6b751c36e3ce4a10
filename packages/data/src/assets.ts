import { fileURLToPath } from 'node:url';

/**
 * Absolute path of a file shipped in this package's `assets/` folder. This module sits one level below the package
 * root both as source (`src/assets.ts`) and bundled (`dist/*.js`), so `../assets/` resolves in both.
 * @internal
 */
export function assetPath(relative: string): string {
  return fileURLToPath(new URL(`../assets/${relative}`, import.meta.url));
}
