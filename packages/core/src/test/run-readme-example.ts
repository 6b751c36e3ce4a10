import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DataError } from '../errors';

/** Options of {@link runReadmeExample}. */
export interface RunReadmeExampleOptions {
  /** The package name the example imports (`@ocrm/core`): `from '<selfName>'` is rewritten to `srcEntry`. */
  selfName: string;
  /** The package's source entry (`src/index.ts`), absolute or relative to the README's folder. */
  srcEntry: string;
}

/** The first ```ts (or ```typescript) block of a Markdown text, or undefined. */
export function extractFirstTsBlock(markdown: string): string | undefined {
  const match = /^```(?:ts|typescript)[^\S\n]*\n([\s\S]*?)^```/m.exec(markdown);
  return match?.[1];
}

/**
 * Runs a README's example: extracts the first ```ts block, rewrites `from '<selfName>'` (and `'<selfName>/…'`
 * subpaths are left alone) to the source entry, writes it to a temporary `.ts` file beside the source entry and
 * imports it. Under vitest the file is transpiled on the fly, and other `@ocrm/*` imports resolve to sources. The
 * temporary file is removed afterwards. Assertions in the example (throwing) fail the calling test.
 *
 * @returns the example's module namespace (its exports).
 * @throws DataError when the README has no ts block.
 * @example
 * it('README example runs', async () => {
 *   await runReadmeExample(new URL('../README.md', import.meta.url).pathname, {
 *     selfName: '@ocrm/core', srcEntry: 'src/index.ts' });
 * });
 */
export async function runReadmeExample(
  readmePath: string,
  options: RunReadmeExampleOptions | string,
  srcEntryArg?: string,
): Promise<Record<string, unknown>> {
  const { selfName, srcEntry } =
    typeof options === 'string' ? { selfName: options, srcEntry: srcEntryArg ?? 'src/index.ts' } : options;
  const markdown = await readFile(readmePath, 'utf8');
  const code = extractFirstTsBlock(markdown);
  if (code === undefined) {
    throw new DataError('no ```ts code block found', { file: readmePath }, { hint: 'add a ```ts example' });
  }
  const entry = isAbsolute(srcEntry) ? srcEntry : resolve(dirname(readmePath), srcEntry);
  const escaped = selfName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const rewritten = code.replace(
    new RegExp(`(from\\s+|import\\s*\\(\\s*)(['"])${escaped}\\2`, 'g'),
    (_m, pre, q) => {
      return `${pre}${q}${entry.replace(/\.ts$/, '')}${q}`;
    },
  );
  const file = join(dirname(entry), `.readme-example-${process.pid}-${randomBytes(4).toString('hex')}.ts`);
  await writeFile(file, rewritten);
  try {
    return (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  } finally {
    await rm(file, { force: true });
  }
}
