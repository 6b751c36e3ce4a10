import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../errors';
import { appendJsonl, readJsonl, readJsonlAll, writeJsonl } from './jsonl';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocrm-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function errorOf(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

describe('JSONL', () => {
  it('writes one compact object a line and reads it back', async () => {
    const path = join(dir, 'pairs.jsonl');
    await writeJsonl(path, [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    expect(await readFile(path, 'utf8')).toBe('{"id":"a","n":1}\n{"id":"b","n":2}\n');
    expect(await readJsonlAll(path)).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    const streamed: unknown[] = [];
    for await (const r of readJsonl(path)) streamed.push(r);
    expect(streamed).toHaveLength(2);
  });

  it('appends, skipping blank lines on read, and repairs a cut-off last line', async () => {
    const path = join(dir, 'sub', 'metrics.jsonl');
    await appendJsonl(path, { step: 1 });
    await appendJsonl(path, { step: 2 });
    await appendFile(path, '\n\n');
    expect(await readJsonlAll(path)).toEqual([{ step: 1 }, { step: 2 }]);
    await appendFile(path, '{"step": 3, "lo'); // killed mid-append
    await appendJsonl(path, { step: 4 });
    const error = await errorOf(readJsonlAll(path));
    expect(error.line).toBe(5);
    expect(await readFile(path, 'utf8')).toBe('{"step":1}\n{"step":2}\n\n\n{"step": 3, "lo\n{"step":4}\n');
  });

  it('names file and line (1-based, counting blank lines) on bad JSON', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"a":1}\n\n{"a":2}\n{"a":\n{"a":4}\n');
    const error = await errorOf(readJsonlAll(path));
    expect(error.file).toBe(path);
    expect(error.line).toBe(4);
    expect(error.message).toContain(`${path}, line 4: invalid JSON`);
  });

  it('reports the validator field error with file, line and field', async () => {
    const path = join(dir, 'pairs.jsonl');
    await writeJsonl(path, [
      { id: 'a', chosen: 'x' },
      { id: 'b', chosen: 3 },
    ]);
    const validate = (record: unknown) => {
      if (typeof (record as { chosen?: unknown }).chosen !== 'string') {
        throw new DataError('must be a string', { field: 'chosen' });
      }
    };
    const error = await errorOf(readJsonlAll(path, { validate }));
    expect([error.file, error.line, error.field]).toEqual([path, 2, 'chosen']);
    expect(error.message).toBe(`${path}, line 2, field \`chosen\`: must be a string`);
    // Plain errors are wrapped too; a returned value replaces the record.
    const plain = await errorOf(
      readJsonlAll(path, {
        validate: (_r, line) => {
          if (line === 2) throw new Error('nope');
        },
      }),
    );
    expect(plain.message).toBe(`${path}, line 2: nope`);
    expect(await readJsonlAll(path, { validate: (_r, line) => line * 10 })).toEqual([10, 20]);
  });

  it('allowPartialLastLine ignores only an unterminated broken tail', async () => {
    const path = join(dir, 'm.jsonl');
    await writeFile(path, '{"a":1}\n{"a":');
    expect(await readJsonlAll(path, { allowPartialLastLine: true })).toEqual([{ a: 1 }]);
    await writeFile(path, '{"a":1}\n{"a":\n');
    expect((await errorOf(readJsonlAll(path, { allowPartialLastLine: true }))).line).toBe(2);
    await writeFile(path, '{"a":1}\n{"a":2}');
    expect(await readJsonlAll(path, { allowPartialLastLine: true })).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('throws NOT_FOUND for a missing file and writes an empty file for no records', async () => {
    const missing = await readJsonlAll(join(dir, 'none.jsonl')).catch((e: { code?: string }) => e.code);
    expect(missing).toBe('NOT_FOUND');
    const path = join(dir, 'empty.jsonl');
    await writeJsonl(path, []);
    expect(await readJsonlAll(path)).toEqual([]);
  });
});
