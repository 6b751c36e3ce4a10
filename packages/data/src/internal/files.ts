import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { IoError, NotFoundError } from '@ocrm/core';

/**
 * Reads a whole file as UTF-8 text, gunzipping it when its name ends in `.gz`.
 * @throws NotFoundError when the file does not exist; IoError on other read failures.
 * @internal
 */
export async function readTextFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`File not found: ${path}`, { cause: error });
    }
    throw new IoError(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}
