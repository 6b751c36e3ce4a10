import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, NotFoundError } from '@ocrm/core';

/**
 * Imports a user module named in the config and returns the implementation it exports: the default export, or the
 * named export `name`; a function is called with `arg` (a factory). The result must carry
 * `specificationVersion: 'v1'` and the method `method` (one of them, when several contracts fit the field).
 * @param field - the config field naming the module (`rewardModel.module`), named by the errors.
 * @throws NotFoundError when the file cannot be imported; ConfigError naming `field` when it does not export an
 *   implementation of the contract (both bad input: the CLI exits 2, before anything is written).
 */
export async function loadImplementation<T>(
  file: string,
  name: string,
  method: string | readonly string[],
  arg: unknown,
  field = 'module',
): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new NotFoundError(`Cannot import the module ${file} (\`${field}\`).`, {
      cause,
      hint: 'Check the path (relative to the working directory) and that it is an ES module (.mjs/.js).',
    });
  }
  let value = mod.default ?? mod[name];
  if (typeof value === 'function') value = await (value as (a: unknown) => unknown)(arg);
  const impl = value as Record<string, unknown> | undefined;
  const methods = typeof method === 'string' ? [method] : method;
  if (impl?.specificationVersion !== 'v1' || !methods.some((m) => typeof impl[m] === 'function')) {
    throw new ConfigError(
      field,
      `${file} must export (default or \`${name}\`) an object with specificationVersion 'v1' and ${methods.map((m) => `${m}()`).join(' or ')}, or a function returning one.`,
    );
  }
  return impl as T;
}
