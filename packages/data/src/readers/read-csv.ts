import { DataError } from '@ocrm/core';
import { parse } from 'csv-parse';
import { checkRecord, ioError, openTextStream, type ReadRecordsOptions } from './read-jsonl';
import { iterateLines } from './read-lines';

/**
 * Streams the rows of a CSV file with a header line as objects keyed by column name (`.gz` gunzipped), with the
 * 1-based line number where each record starts.
 * @throws DataError naming file, line (and field, with `required`) on a malformed row.
 */
export async function* iterateCsv<T = Record<string, string>>(
  path: string,
  options: ReadRecordsOptions = {},
): AsyncGenerator<{ record: T; line: number }> {
  // Strict UTF-8 and the line cap first (csv-parse would turn invalid bytes into U+FFFD).
  for await (const _ of iterateLines(path)) {
  }
  const parser = openTextStream(path).pipe(parse({ columns: true, bom: true, info: true, raw: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const line = lineOf(info);
      checkRecord(record, options.required, path, line);
      for (const field of options.required ?? []) {
        if (record[field] === '') throw new DataError('empty required field', { file: path, line, field });
      }
      yield { record: record as T, line };
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    const csvError = error as { code?: string; lines?: number; column?: string | number };
    if (csvError.code?.startsWith('CSV_')) {
      throw new DataError(
        (error as Error).message,
        {
          file: path,
          line: csvError.lines,
          field: csvError.column === undefined ? undefined : String(csvError.column),
        },
        { cause: error },
      );
    }
    throw ioError(path, error);
  }
}

function lineOf(info: { lines: number; raw?: string } & Record<string, unknown>): number {
  // csv-parse reports the line where the record ENDS; records with embedded newlines started earlier.
  const raw = typeof info.raw === 'string' ? info.raw.replace(/\r?\n$/, '') : '';
  const newlines = raw.match(/\n/g)?.length ?? 0;
  return info.lines - newlines;
}

/** Reads every row of a CSV file (header line = column names). See {@link iterateCsv}. */
export async function readCsv<T = Record<string, string>>(
  path: string,
  options: ReadRecordsOptions = {},
): Promise<T[]> {
  const out: T[] = [];
  for await (const { record } of iterateCsv<T>(path, options)) out.push(record);
  return out;
}
