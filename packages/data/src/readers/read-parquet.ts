import { DataError } from '@ocrm/core';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ioError } from './read-jsonl';

/** Options of {@link readParquet}. */
export interface ReadParquetOptions {
  /** Columns to read (default all). Each must exist. */
  columns?: readonly string[];
  /** First row (inclusive, default 0). */
  rowStart?: number;
  /** Last row (exclusive, default all). */
  rowEnd?: number;
  /** Columns every row must have non-null. */
  required?: readonly string[];
}

/**
 * Reads rows of a Parquet file as objects with hyparquet (+ hyparquet-compressors: Snappy, GZIP, ZSTD, Brotli, LZ4).
 * The file is read by byte ranges, so only the requested row groups and columns are loaded; use `rowStart`/`rowEnd`
 * to stream a large file in slices. 64-bit integers come back as `bigint`.
 * @throws DataError naming the file (and row/field) for a corrupt file, an unknown column or a null required field.
 */
export async function readParquet<T = Record<string, unknown>>(
  path: string,
  options: ReadParquetOptions = {},
): Promise<T[]> {
  const file = await asyncBufferFromFile(path).catch((error) => {
    throw ioError(path, error);
  });
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new DataError(
      `not a valid Parquet file: ${(error as Error).message}`,
      { file: path },
      { cause: error },
    );
  }
  const names = new Set(metadata.schema.slice(1).map((s) => s.name));
  for (const column of [...(options.columns ?? []), ...(options.required ?? [])]) {
    if (!names.has(column)) throw new DataError('no such column', { file: path, field: column });
  }
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({
      file,
      metadata,
      compressors,
      columns: options.columns ? [...options.columns] : undefined,
      rowStart: options.rowStart,
      rowEnd: options.rowEnd,
    });
  } catch (error) {
    throw new DataError(`cannot decode: ${(error as Error).message}`, { file: path }, { cause: error });
  }
  const first = options.rowStart ?? 0;
  rows.forEach((row, i) => {
    for (const field of options.required ?? []) {
      if (row[field] === null || row[field] === undefined) {
        throw new DataError(`null in required column (row ${first + i})`, {
          file: path,
          line: first + i + 1,
          field,
        });
      }
    }
  });
  return rows as T[];
}

/** Number of rows of a Parquet file (from its footer). */
export async function parquetRowCount(path: string): Promise<number> {
  const file = await asyncBufferFromFile(path).catch((error) => {
    throw ioError(path, error);
  });
  return Number((await parquetMetadataAsync(file)).num_rows);
}
