import { DataError, type PreferencePair } from '@ocrm/core';
import { iterateJsonlRecords } from '../readers/read-jsonl';
import { readParquet } from '../readers/read-parquet';
import {
  type PreferenceRecordOptions,
  type PreferenceRecordStats,
  preferenceRecordsToPairs,
} from './preference-records';

/** Options of {@link readPreferenceDataset}. */
export interface ReadPreferenceDatasetOptions extends Omit<PreferenceRecordOptions, 'file' | 'lines'> {
  /** Read at most this many records (the first ones). */
  limit?: number;
}

/**
 * Reads a preference dataset file — JSONL (`.jsonl`, `.jsonl.gz`, `.json` with one object a line) or Parquet
 * (`.parquet`, e.g. a Hugging Face dataset's shard) — into pairs (see {@link preferenceRecordsToPairs}).
 * @throws DataError naming the file, line (row) and field of a bad record; the file when it holds no record.
 */
export async function readPreferenceDataset(
  path: string,
  options: ReadPreferenceDatasetOptions,
): Promise<{ pairs: PreferencePair[]; stats: PreferenceRecordStats }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  if (path.endsWith('.parquet')) {
    const rows = await readParquet(path, Number.isFinite(limit) ? { rowEnd: limit } : {});
    rows.forEach((row, i) => {
      records.push(row);
      lines.push(i + 1);
    });
  } else {
    for await (const { record, line } of iterateJsonlRecords(path)) {
      if (records.length >= limit) break;
      records.push(record);
      lines.push(line);
    }
  }
  if (records.length === 0) throw new DataError('the preference dataset has no records', { file: path });
  return preferenceRecordsToPairs(records, { ...options, file: path, lines });
}
