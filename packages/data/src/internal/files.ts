import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DataError, IoError, NotFoundError } from '@ocrm/core';

/**
 * Reads a whole file as strict UTF-8 text, gunzipping it when its name ends in `.gz`.
 * @throws NotFoundError when the file does not exist; IoError on other read failures; DataError naming the line of
 *   the first invalid UTF-8 sequence.
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
  const raw = path.endsWith('.gz') ? gunzipSync(bytes) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (error) {
    throw new DataError(
      'invalid UTF-8 (save the file as UTF-8)',
      { file: path, line: badLine(raw) },
      { cause: error },
    );
  }
}

/** 1-based line of the first invalid UTF-8 sequence (only called once decoding failed). */
function badLine(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    try {
      decoder.decode(bytes.subarray(start, nl === -1 ? bytes.length : nl));
    } catch {
      return line;
    }
    if (nl === -1) return line;
    line++;
    start = nl + 1;
  }
}
