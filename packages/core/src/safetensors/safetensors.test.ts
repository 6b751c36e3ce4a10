import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcrmError } from '../errors';
import { floatToBfloat16Bits, floatToHalfBits, halfBitsToFloat } from './dtypes';
import { readSafetensors, readSafetensorsHeader } from './read';
import { writeSafetensors } from './write';

const FIXTURES = join(import.meta.dirname, '../../../../fixtures/hf-tiny-reference');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocrm-st-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('safetensors', () => {
  it('reads the reference fixture and rewrites it byte for byte', async () => {
    const source = join(FIXTURES, 'gpt-neox-tiny/expected.safetensors');
    const header = await readSafetensorsHeader(source);
    expect(header.tensors.logits).toMatchObject({ dtype: 'F32', shape: [3, 16, 1024] });
    expect(header.dataStart % 8).toBe(0);
    const tensors = await readSafetensors(source);
    expect(tensors.input_ids.data).toBeInstanceOf(Int32Array);
    expect(tensors.logits.data).toBeInstanceOf(Float32Array);
    expect(tensors.attention_mask.data[2 * 16 + 10]).toBe(1);
    expect(tensors.attention_mask.data[2 * 16 + 11]).toBe(0);
    const copy = join(dir, 'copy.safetensors');
    await writeSafetensors(copy, tensors, header.metadata);
    expect(Buffer.compare(await readFile(copy), await readFile(source))).toBe(0);
    const model = join(FIXTURES, 'qwen2-tiny/model.safetensors');
    const modelHeader = await readSafetensorsHeader(model);
    expect(modelHeader.metadata).toEqual({ format: 'pt' });
    await writeSafetensors(copy, await readSafetensors(model), modelHeader.metadata);
    expect(Buffer.compare(await readFile(copy), await readFile(model))).toBe(0);
  });

  it('reads only the requested names', async () => {
    const source = join(FIXTURES, 'gpt2-tiny/expected.safetensors');
    const some = await readSafetensors(source, { names: ['greedy_prompt'] });
    expect(Object.keys(some)).toEqual(['greedy_prompt']);
    expect(some.greedy_prompt.shape).toEqual([2, 6]);
    await expect(readSafetensors(source, { names: ['nope'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('round-trips every dtype, pads the header with spaces to 8 bytes, converts halves', async () => {
    const path = join(dir, 'dtypes.safetensors');
    const halves = [0, 1, -2, 0.5, 65504, 2 ** -24, -0.333251953125];
    await writeSafetensors(
      path,
      {
        f32: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1.5, -2, 3.25, 1e-30]) },
        f16: { dtype: 'F16', shape: [7], data: halves },
        bf16: { dtype: 'BF16', shape: [3], data: [1, -0.5, 3.140625] },
        i32: { dtype: 'I32', shape: [3], data: new Int32Array([7, -8, 2147483647]) },
        small64: { dtype: 'I64', shape: [2], data: [5, -6] },
        big64: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 1n << 40n]) },
        scalar: { dtype: 'F32', shape: [], data: [42] },
      },
      { note: 'x' },
    );
    const bytes = await readFile(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
    expect(headerText.startsWith('{"__metadata__":{"note":"x"}')).toBe(true);
    expect(headerText.trimEnd().endsWith('}')).toBe(true);
    const t = await readSafetensors(path);
    expect(Array.from(t.f32.data as Float32Array)).toEqual([1.5, -2, 3.25, Math.fround(1e-30)]);
    expect(Array.from(t.f16.data as Float32Array)).toEqual(halves);
    expect(Array.from(t.bf16.data as Float32Array)).toEqual([1, -0.5, 3.140625]);
    expect(t.bf16.dtype).toBe('BF16');
    expect(Array.from(t.i32.data as Int32Array)).toEqual([7, -8, 2147483647]);
    expect(t.small64.data).toBeInstanceOf(Int32Array);
    expect(Array.from(t.small64.data as Int32Array)).toEqual([5, -6]);
    expect(t.big64.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(t.big64.data as BigInt64Array)).toEqual([1n, 1n << 40n]);
    expect(t.scalar.shape).toEqual([]);
    const again = join(dir, 'again.safetensors');
    await writeSafetensors(again, t, { note: 'x' });
    expect(Buffer.compare(await readFile(again), bytes)).toBe(0);
  });

  it('rounds float16 and bfloat16 to nearest even', () => {
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalfBits(1e6)).toBe(0x7c00);
    expect(halfBitsToFloat(floatToHalfBits(3 * 2 ** -25))).toBe(2 ** -23); // subnormal tie → even
    expect(floatToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(floatToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });

  it('reads a tensor stored beyond 2 GiB (sparse file) by byte range', async () => {
    const path = join(dir, 'huge.safetensors');
    const fillerBytes = 2 ** 31 + 8;
    const header = JSON.stringify({
      filler: { dtype: 'F32', shape: [fillerBytes / 4], data_offsets: [0, fillerBytes] },
      tail: { dtype: 'F32', shape: [4], data_offsets: [fillerBytes, fillerBytes + 16] },
    }).padEnd(200, ' ');
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    await writeFile(path, Buffer.concat([prefix, Buffer.from(header)]));
    const fh = await open(path, 'r+');
    const dataStart = 8 + header.length;
    await fh.truncate(dataStart + fillerBytes + 16);
    await fh.write(Buffer.from(new Float32Array([1, 2, 3, 4]).buffer), 0, 16, dataStart + fillerBytes);
    await fh.close();
    expect((await stat(path)).size).toBeGreaterThan(2 ** 31);
    const parsed = await readSafetensorsHeader(path);
    expect(parsed.tensors.tail.start).toBeGreaterThan(2 ** 31);
    const { tail } = await readSafetensors(path, { names: ['tail'] });
    expect(Array.from(tail.data as Float32Array)).toEqual([1, 2, 3, 4]);
    await rm(path);
  });

  it('names the file and tensor in errors on malformed input', async () => {
    const path = join(dir, 'bad.safetensors');
    const header = JSON.stringify({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } });
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    await writeFile(path, Buffer.concat([prefix, Buffer.from(header), Buffer.alloc(8)]));
    const error = await readSafetensorsHeader(path).catch((e: unknown) => e);
    expect(OcrmError.isInstance(error) && error.code).toBe('INVALID_DATA');
    expect(String((error as Error).message)).toMatch(/bad\.safetensors.*`a`/);
    await expect(readSafetensorsHeader(join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      writeSafetensors(path, { a: { dtype: 'F32', shape: [2], data: [1] } }),
    ).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
  });
});
