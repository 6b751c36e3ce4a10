import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '../errors';
import type { ModuleRef } from './module-ref';

/**
 * Imports `ref.module` (an absolute path or `file:` URL, or a package specifier resolved from `@ocrm/core`'s folder)
 * and calls its export `ref.export` with `ref.options` — what a worker thread does with a recipe it was sent, e.g. a
 * replica module building the models it trains from their `Trainable.replica()` recipes.
 * @returns what the function returns (awaited).
 * @throws InvalidArgumentError when the module has no such exported function.
 */
export async function callModuleRef<T>(ref: ModuleRef): Promise<T> {
  const specifier = isAbsolute(ref.module) ? pathToFileURL(ref.module).href : ref.module;
  const module = (await import(specifier)) as Record<string, unknown>;
  const fn = module[ref.export];
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`${ref.module} does not export a function \`${ref.export}\`.`);
  }
  return (await fn(ref.options)) as T;
}
