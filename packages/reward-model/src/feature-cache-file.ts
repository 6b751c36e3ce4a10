import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@ocrm/core';
import { FeatureCache } from './feature-cache';

const MAGIC = 'OCRMFC01';
/** The file is little-endian; on such a host (every Node platform in practice) rows are copied as float32 views. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HEADER_BYTES = MAGIC.length + 12;

/**
 * A {@link FeatureCache} as bytes: the magic `OCRMFC01`, then little-endian uint32 feature size H, row count N and
 * key bytes K, the N keys (UTF-8, newline-separated), zero padding to a multiple of 4, and the `[N, H]` features as
 * little-endian float32. Float32 values round-trip to the bit.
 */
export function featureCacheBytes(cache: FeatureCache): Uint8Array {
  const keys: string[] = [];
  const rows: Float32Array[] = [];
  for (const [key, row] of cache.entries()) {
    keys.push(key);
    rows.push(row);
  }
  const keyBytes = new TextEncoder().encode(keys.join('\n'));
  const dataOffset = align4(HEADER_BYTES + keyBytes.length);
  const bytes = new Uint8Array(dataOffset + rows.length * cache.size * 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(MAGIC.length, cache.size, true);
  view.setUint32(MAGIC.length + 4, rows.length, true);
  view.setUint32(MAGIC.length + 8, keyBytes.length, true);
  bytes.set(keyBytes, HEADER_BYTES);
  if (LITTLE_ENDIAN) {
    // The data offset is a multiple of 4: the rows go in as a float32 view, one copy each.
    const data = new Float32Array(bytes.buffer, dataOffset, rows.length * cache.size);
    rows.forEach((row, n) => {
      data.set(row, n * cache.size);
    });
  } else {
    let offset = dataOffset;
    for (const row of rows)
      for (const x of row) {
        view.setFloat32(offset, x, true);
        offset += 4;
      }
  }
  return bytes;
}

/**
 * Parses {@link featureCacheBytes}' output; `undefined` when the bytes are not such a file, hold another feature
 * size than `size`, or are truncated (a cache that cannot be read is recomputed, never trusted).
 */
export function parseFeatureCache(bytes: Uint8Array, size: number): FeatureCache | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const H = view.getUint32(MAGIC.length, true);
  const N = view.getUint32(MAGIC.length + 4, true);
  const K = view.getUint32(MAGIC.length + 8, true);
  const dataOffset = align4(HEADER_BYTES + K);
  if (H !== size || bytes.length !== dataOffset + N * H * 4) return undefined;
  const keys =
    N === 0 ? [] : new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + K)).split('\n');
  if (keys.length !== N) return undefined;
  const cache = new FeatureCache(H);
  const aligned = (bytes.byteOffset + dataOffset) % 4 === 0;
  keys.forEach((key, n) => {
    let row: Float32Array;
    if (LITTLE_ENDIAN && aligned) {
      row = new Float32Array(bytes.buffer, bytes.byteOffset + dataOffset + n * H * 4, H).slice();
    } else {
      row = new Float32Array(H);
      for (let h = 0; h < H; h++) row[h] = view.getFloat32(dataOffset + (n * H + h) * 4, true);
    }
    cache.add(key, row);
  });
  return cache;
}

/** Reads a cache file written by {@link writeFeatureCache}; `undefined` when it is missing or unreadable. */
export async function readFeatureCache(path: string, size: number): Promise<FeatureCache | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  return parseFeatureCache(bytes, size);
}

/** Writes `cache` to `path` atomically (a reader sees the old file or the whole new one). */
export function writeFeatureCache(path: string, cache: FeatureCache): Promise<void> {
  return writeFileAtomic(path, featureCacheBytes(cache));
}

/**
 * A short hash of a model folder's weights and config (`config.json` and every `*.safetensors`, in name order): the
 * key under which frozen-backbone features of that model may be reused. Features depend only on the backbone's
 * weights, its architecture and the token ids (the cache's row keys).
 */
export async function modelFolderHash(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n === 'config.json' || n.endsWith('.safetensors')).sort();
  const hash = createHash('sha256');
  for (const name of names) {
    hash.update(`${name}\n`);
    hash.update(await readFile(join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
