import { DataError } from '@ocrm/core';
import { iterateLines } from './read-lines';

/** Options of the record readers. */
export interface ReadRecordsOptions {
  /** Fields every record must have (a missing one fails with file, line and field). */
  required?: readonly string[];
}

export { ioError, openTextStream } from './text-stream';

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
 * Streams the records of a JSONL file (one JSON object a line; blank lines skipped; `.gz` gunzipped; strict UTF-8;
 * lines of at most `MAX_LINE_BYTES`) with their 1-based file line numbers. Memory stays bounded by one line.
 * @throws DataError naming file and line (and field, with `required`) on a malformed line.
 */
export async function* iterateJsonlRecords<T = Record<string, unknown>>(
  path: string,
  options: ReadRecordsOptions = {},
): AsyncGenerator<{ record: T; line: number }> {
  for await (const { text, line } of iterateLines(path)) {
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
