import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DataError, NotFoundError } from '@ocrm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { tldrExamples } from '../adapters/tldr';
import { iterateCsv, readCsv } from './read-csv';
import { readJsonArray } from './read-json-array';
import { iterateJsonlRecords, readJsonlRecords } from './read-jsonl';
import { parquetRowCount, readParquet } from './read-parquet';

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tmpFile(name: string, content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocrm-data-'));
  tempDirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('readJsonlRecords', () => {
  it('streams records with line numbers, skips blank lines, gunzips .gz', async () => {
    const text = '{"a":1}\n\n{"a":2}\n';
    const plain = await tmpFile('x.jsonl', text);
    const lines: number[] = [];
    for await (const { line } of iterateJsonlRecords(plain)) lines.push(line);
    expect(lines).toEqual([1, 3]);
    expect(await readJsonlRecords(await tmpFile('x.jsonl.gz', gzipSync(text)))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('fails with file, line and field', async () => {
    const bad = await tmpFile('bad.jsonl', '{"a":1}\n{"a":\n');
    await expect(readJsonlRecords(bad)).rejects.toThrow(/bad\.jsonl, line 2: invalid JSON/);
    const missing = await tmpFile('m.jsonl', '{"a":1}\n{"b":1}\n');
    const error = await readJsonlRecords(missing, { required: ['a'] }).catch((e) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ line: 2, field: 'a' });
    await expect(readJsonlRecords('/nonexistent/x.jsonl')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('readJsonArray', () => {
  it('reads arrays and names the record line of a missing field', async () => {
    const path = await tmpFile('a.json', '[\n  {"x": "1"},\n  {"y": "2"}\n]\n');
    expect(await readJsonArray(path)).toHaveLength(2);
    await expect(readJsonArray(path, { required: ['x'] })).rejects.toThrow(/a\.json, line 3, field `x`/);
    await expect(readJsonArray(await tmpFile('o.json', '{}'))).rejects.toThrow(/expected a JSON array/);
  });
});

describe('readCsv', () => {
  it('reads rows with embedded newlines and reports the start line of a bad row', async () => {
    const path = await tmpFile('c.csv', 'id,text\n1,"multi\nline"\n2,\n');
    expect(await readCsv(path)).toEqual([
      { id: '1', text: 'multi\nline' },
      { id: '2', text: '' },
    ]);
    await expect(readCsv(path, { required: ['text'] })).rejects.toThrow(/c\.csv, line 4, field `text`/);
    const lines: number[] = [];
    for await (const { line } of iterateCsv(path)) lines.push(line);
    expect(lines).toEqual([2, 4]);
    const ragged = await tmpFile('r.csv', 'a,b\n1,2\n3,4,5\n');
    await expect(readCsv(ragged)).rejects.toThrow(/r\.csv, line 3/);
  });
});

describe('readParquet (real TL;DR rows, GZIP pages)', () => {
  const file = fileURLToPath(
    new URL('../../../../fixtures/data/tldr-mini/tldr-mini-20.parquet', import.meta.url),
  );

  it('reads rows, column subsets and row slices', async () => {
    expect(await parquetRowCount(file)).toBe(20);
    const rows = await readParquet<{ id: string; post: string; summary: string; n: number }>(file);
    expect(rows).toHaveLength(20);
    expect(rows[0]?.id).toBe('tldr-0');
    expect(rows[19]?.n).toBe(190);
    expect(tldrExamples(rows)[0]?.prompt.startsWith('SUBREDDIT: r/')).toBe(true);
    const slice = await readParquet(file, { columns: ['id', 'n'], rowStart: 5, rowEnd: 8 });
    expect(slice).toEqual([
      { id: 'tldr-5', n: 50 },
      { id: 'tldr-6', n: 60 },
      { id: 'tldr-7', n: 70 },
    ]);
  });

  it('names the file and column of a bad request or a corrupt file', async () => {
    await expect(readParquet(file, { columns: ['nope'] })).rejects.toThrow(
      /tldr-mini-20\.parquet, field `nope`/,
    );
    const corrupt = await tmpFile('c.parquet', 'PAR1 not really PAR1');
    await expect(readParquet(corrupt)).rejects.toBeInstanceOf(DataError);
  });
});
