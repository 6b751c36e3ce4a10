import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IoError, NotFoundError } from '@ocrm/core';

/** Opens a file as a text stream, gunzipping `.gz`. @internal */
export function openTextStream(path: string): Readable {
  const raw = createReadStream(path);
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error)); // `pipe` does not forward a missing file's error
  return raw.pipe(gunzip);
}

/** Maps a stream error to an OCRM error. @internal */
export function ioError(path: string, error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new NotFoundError(`File not found: ${path}`, { cause: error });
  }
  return new IoError(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
}
