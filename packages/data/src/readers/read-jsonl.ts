import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataError, IoError, NotFoundError } from '@ocrm/core';

/** Options of the record readers. */
export interface ReadRecordsOptions {
  /** Fields every record must have (a missing one fails with file, line and field). */
  required?: readonly string[];
}

/** Opens a file as a text stream, gunzipping `.gz`. @internal */
export function openTextStream(path: string): Readable {
  const raw = createReadStream(path);
  return path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/** Maps a stream error to an OCRM error. @internal */
export function ioError(path: string, error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new NotFoundError(`File not found: ${path}`, { cause: error });
  }
  return new IoError(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
}

/** Checks that `record` is an object with every required field. @internal */
export function checkRecord(
  record: unknown,
  required: readonly string[] | undefined,
  file: string,
  line: number,
): void {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new DataError('expected a JSON object', { file, line });
  }
  for (const field of required ?? []) {
    if ((record as Record<string, unknown>)[field] === undefined) {
      throw new DataError('missing required field', { file, line, field });
    }
  }
}

/**
 * Streams the records of a JSONL file (one JSON object a line; blank lines skipped; `.gz` gunzipped) with their
 * 1-based line numbers. Memory stays bounded by one line.
 * @throws DataError naming file and line (and field, with `required`) on a malformed line.
 */
export async function* iterateJsonlRecords<T = Record<string, unknown>>(
  path: string,
  options: ReadRecordsOptions = {},
): AsyncGenerator<{ record: T; line: number }> {
  const stream = openTextStream(path);
  let failure: unknown;
  stream.on('error', (error) => {
    failure = error;
  });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (error) {
        throw new DataError(
          `invalid JSON: ${(error as Error).message}`,
          { file: path, line },
          { cause: error },
        );
      }
      checkRecord(record, options.required, path, line);
      yield { record: record as T, line };
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw ioError(path, failure ?? error);
  } finally {
    lines.close();
    stream.destroy();
  }
  if (failure) throw ioError(path, failure);
}

/** Reads every record of a JSONL file. See {@link iterateJsonlRecords}. */
export async function readJsonlRecords<T = Record<string, unknown>>(
  path: string,
  options: ReadRecordsOptions = {},
): Promise<T[]> {
  const out: T[] = [];
  for await (const { record } of iterateJsonlRecords<T>(path, options)) out.push(record);
  return out;
}
