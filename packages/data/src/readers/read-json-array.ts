import { DataError } from '@ocrm/core';
import { readTextFile } from '../internal/files';
import { checkRecord, type ReadRecordsOptions } from './read-jsonl';

/**
 * Reads a file holding one JSON array of objects (e.g. AlpacaFarm's `*.json`; `.gz` gunzipped). Loads the whole file.
 * @throws DataError naming the file (and the record's line and field) on malformed content.
 */
export async function readJsonArray<T = Record<string, unknown>>(
  path: string,
  options: ReadRecordsOptions = {},
): Promise<T[]> {
  return (await readJsonArrayWithLines<T>(path, options)).records;
}

/** {@link readJsonArray} with the line of each element's opening brace. */
export async function readJsonArrayWithLines<T = Record<string, unknown>>(
  path: string,
  options: ReadRecordsOptions = {},
): Promise<{ records: T[]; lines: number[] }> {
  const text = await readTextFile(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataError(`invalid JSON: ${(error as Error).message}`, { file: path }, { cause: error });
  }
  if (!Array.isArray(value)) throw new DataError('expected a JSON array', { file: path });
  const lineStarts = objectLines(text);
  const lines = value.map((_, i) => lineStarts[i] ?? i + 1);
  value.forEach((record, i) => {
    checkRecord(record, options.required, path, lines[i] as number);
  });
  return { records: value as T[], lines };
}

/** Approximate 1-based line of each top-level array element (the line of its opening brace). */
function objectLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 1) lines.push(line);
      depth++;
    } else if (c === '}' || c === ']') depth--;
  }
  return lines;
}
