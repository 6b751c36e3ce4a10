import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OcrmError } from '../errors';

// Lets a test make `rename` fail, simulating a crash between the temp write and the rename.
const failRename = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (failRename.on) throw new Error('simulated crash before rename');
      return actual.rename(from, to);
    },
  };
});

// The test setup may have loaded `./atomic` (through `@ocrm/core`) before the mock above existed: load it afresh.
vi.resetModules();
const { readJson, writeFileAtomic, writeJsonAtomic } = await import('./atomic');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocrm-atomic-'));
  failRename.on = false;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes text and bytes, creating parent folders', async () => {
    const path = join(dir, 'a', 'b', 'file.txt');
    await writeFileAtomic(path, 'hello');
    expect(await readFile(path, 'utf8')).toBe('hello');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['file.txt']);
  });

  it('leaves the old file intact when it fails between the temp write and the rename', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, 'old contents');
    failRename.on = true;
    const error = await writeFileAtomic(path, 'new contents').catch((e: unknown) => e);
    expect(OcrmError.isInstance(error) && error.code).toBe('IO');
    expect(String((error as Error).message)).toContain(path);
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect(await readdir(dir)).toEqual(['config.json']); // temp file cleaned up
  });

  it('ignores a stray temp file left by a killed process', async () => {
    const path = join(dir, 'x.json');
    await writeFile(join(dir, '.x.json.tmp-1-deadbeef'), 'half writ');
    await writeJsonAtomic(path, { a: 1 });
    expect(await readJson(path)).toEqual({ a: 1 });
  });
});

describe('readJson', () => {
  it('round-trips through writeJsonAtomic (pretty, trailing newline)', async () => {
    const path = join(dir, 'c.json');
    await writeJsonAtomic(path, { x: [1, 2], y: 'z' });
    expect(await readFile(path, 'utf8')).toBe('{\n  "x": [\n    1,\n    2\n  ],\n  "y": "z"\n}\n');
    expect(await readJson(path)).toEqual({ x: [1, 2], y: 'z' });
  });

  it('names the file on bad JSON and says NOT_FOUND for a missing file', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"a": 1,');
    const bad = await readJson(path).catch((e: unknown) => e);
    expect(OcrmError.isInstance(bad) && bad.code).toBe('INVALID_DATA');
    expect((bad as Error).message).toContain(path);
    const missing = await readJson(join(dir, 'nope.json')).catch((e: unknown) => e);
    expect(OcrmError.isInstance(missing) && missing.code).toBe('NOT_FOUND');
  });
});
