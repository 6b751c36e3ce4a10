import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureCache } from './feature-cache';
import {
  featureCacheBytes,
  modelFolderHash,
  parseFeatureCache,
  readFeatureCache,
  writeFeatureCache,
} from './feature-cache-file';

function cacheOf(rows: Record<string, number[]>, size: number): FeatureCache {
  const cache = new FeatureCache(size);
  for (const [key, row] of Object.entries(rows)) cache.add(key, Float32Array.from(row));
  return cache;
}

describe('feature cache files', () => {
  it('round-trip every row to the bit, in order, including odd key lengths and special values', () => {
    const rows = {
      '5,6,-1,9,2': [0.1, -1e-30, 3.4e38],
      '7,-1,3': [Number.NaN, -0, 1 / 3],
      '': [1, 2, 3],
    };
    const back = parseFeatureCache(featureCacheBytes(cacheOf(rows, 3)), 3)!;
    expect(back.count).toBe(3);
    const entries = [...back.entries()];
    expect(entries.map(([k]) => k)).toEqual(Object.keys(rows));
    for (const [key, row] of entries) {
      const expected = Float32Array.from(rows[key as keyof typeof rows]);
      expect(new Uint32Array(row.buffer, row.byteOffset, 3)).toEqual(new Uint32Array(expected.buffer));
    }
    expect(parseFeatureCache(featureCacheBytes(new FeatureCache(4)), 4)!.count).toBe(0);
  });

  it('lays out the header, keys and aligned little-endian floats as documented', () => {
    const bytes = featureCacheBytes(cacheOf({ '1,2': [1.5] }, 1));
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('OCRMFC01');
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(8, true), view.getUint32(12, true), view.getUint32(16, true)]).toEqual([1, 1, 3]);
    expect(new TextDecoder().decode(bytes.subarray(20, 23))).toBe('1,2');
    // 20 + 3 key bytes, padded to 24.
    expect(bytes.length).toBe(28);
    expect(view.getFloat32(24, true)).toBe(1.5);
  });

  it('reads a file at any byte offset (pooled buffers), to the bit', () => {
    const bytes = featureCacheBytes(cacheOf({ a: [1.25, -3e-20], bc: [7, Number.MAX_VALUE] }, 2));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const back = parseFeatureCache(shifted.subarray(3), 2)!;
    expect([...back.entries()].map(([k, r]) => [k, Array.from(r)])).toEqual([
      ['a', [1.25, Math.fround(-3e-20)]],
      ['bc', [7, Math.fround(Number.MAX_VALUE)]],
    ]);
  });

  it('treats a truncated, foreign or other-width file as no cache', async () => {
    const bytes = featureCacheBytes(cacheOf({ '1': [1, 2], '2': [3, 4] }, 2));
    expect(parseFeatureCache(bytes.subarray(0, bytes.length - 1), 2)).toBeUndefined();
    expect(parseFeatureCache(bytes, 3)).toBeUndefined();
    expect(parseFeatureCache(new TextEncoder().encode('{"not":"a cache"}'), 2)).toBeUndefined();
    const dir = await mkdtemp(join(tmpdir(), 'feature-cache-'));
    expect(await readFeatureCache(join(dir, 'missing.bin'), 2)).toBeUndefined();
    await writeFeatureCache(join(dir, 'c.bin'), cacheOf({ '1': [1, 2] }, 2));
    expect((await readFeatureCache(join(dir, 'c.bin'), 2))!.count).toBe(1);
  });

  it('hashes a model folder by its config and weights only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'feature-cache-model-'));
    await writeFile(join(dir, 'config.json'), '{"hidden_size":2}');
    await writeFile(join(dir, 'model.safetensors'), 'weights');
    const h = await modelFolderHash(dir);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    await writeFile(join(dir, 'tokenizer.json'), '{}');
    expect(await modelFolderHash(dir)).toBe(h);
    await writeFile(join(dir, 'model.safetensors'), 'weights2');
    expect(await modelFolderHash(dir)).not.toBe(h);
  });
});
