import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { genericExamples } from '../adapters/generic';
import { iterateCsv } from './read-csv';
import { readJsonArray, readJsonArrayWithLines } from './read-json-array';
import { iterateJsonlRecords } from './read-jsonl';
import { iterateLines } from './read-lines';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function file(name: string, content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocrm-bad-'));
  dirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
const drain = async (it: AsyncIterable<unknown>) => {
  for await (const _ of it) {
  }
};

describe('bad dataset input is caught with file and line', () => {
  const invalid = Buffer.concat([
    Buffer.from('{"a":"ok"}\n\n{"a":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('"}\n'),
  ]);

  it('invalid UTF-8 in JSONL (plain and gzipped), JSON and CSV names the file line, never a silent U+FFFD', async () => {
    for (const path of [await file('x.jsonl', invalid), await file('x.jsonl.gz', gzipSync(invalid))]) {
      await expect(drain(iterateJsonlRecords(path))).rejects.toThrow(
        /x\.jsonl(\.gz)?, line 3: invalid UTF-8/,
      );
    }
    const json = await file(
      'x.json',
      Buffer.concat([Buffer.from('[\n{"a":1},\n{"a":"'), Buffer.from([0xff]), Buffer.from('"}]')]),
    );
    await expect(readJsonArray(json)).rejects.toThrow(/x\.json, line 3: invalid UTF-8/);
    const csv = await file(
      'x.csv',
      Buffer.concat([Buffer.from('q,a\nx,y\nz,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
    );
    await expect(drain(iterateCsv(csv))).rejects.toThrow(/x\.csv, line 3: invalid UTF-8/);
  });

  it('a valid U+FFFD character is kept: only invalid bytes fail', async () => {
    const path = await file('ok.jsonl', '{"a":"\uFFFD"}\n');
    const rows = [];
    for await (const r of iterateJsonlRecords(path)) rows.push(r);
    expect(rows).toEqual([{ record: { a: '\uFFFD' }, line: 1 }]);
  });

  it('a line over the cap fails with its line before it is held in memory', async () => {
    const path = await file('big.jsonl', `{"a":1}\n{"a":"${'x'.repeat(5000)}"}\n`);
    await expect(drain(iterateLines(path, { maxLineBytes: 1000 }))).rejects.toThrow(
      /big\.jsonl, line 2: line longer than 1000 bytes/,
    );
  });

  it('adapters name the file line of a record after blank lines, not its index', async () => {
    const path = await file('d.jsonl', '{"q":"a","r":"b"}\n\n\n{"q":"c"}\n');
    const records: Record<string, unknown>[] = [];
    const lines: number[] = [];
    for await (const { record, line } of iterateJsonlRecords(path)) {
      records.push(record);
      lines.push(line);
    }
    expect(() => genericExamples(records, { prompt: 'q', response: 'r' }, { file: path, lines })).toThrow(
      /d\.jsonl, line 4, field `r`/,
    );
    const array = await readJsonArrayWithLines(await file('d.json', '[\n  {"q": 1},\n\n  {"q": 2}\n]'));
    expect(array.lines).toEqual([2, 4]);
  });

  it('CRLF line endings are read without the carriage return', async () => {
    const path = await file('crlf.jsonl', '{"a":1}\r\n{"a":2}\r\n');
    const rows = [];
    for await (const { record } of iterateJsonlRecords(path)) rows.push(record);
    expect(rows).toEqual([{ a: 1 }, { a: 2 }]);
  });
});
