/**
 * Reading safetensors files by file handle and byte range.
 *
 * Node cannot `readFile` a file over 2 GiB, and a model rarely needs every tensor at once, so the header is read
 * first and each tensor is then read from its own byte range (positions beyond 2 GiB are fine).
 */
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { DataError, IoError, NotFoundError, UnsupportedError } from '../errors';
import { DTYPE_BYTES, halfBitsToFloat, isSupportedDtype, type SafetensorsDtype, shapeSize } from './dtypes';

/** One tensor's entry in a safetensors header. Offsets are absolute file positions in bytes. */
export interface SafetensorsEntry {
  /** Stored dtype as written in the header (`F32`, `BF16`, `U8`, ...; only some are readable). */
  dtype: string;
  shape: number[];
  /** First byte of the tensor in the file (header length and header included). */
  start: number;
  /** One past the last byte in the file. */
  end: number;
}

/** A parsed safetensors header. */
export interface SafetensorsHeader {
  /** Entries by tensor name, in header order. */
  tensors: Record<string, SafetensorsEntry>;
  /** The free-form string map `__metadata__` (empty when absent). */
  metadata: Record<string, string>;
  /** File position where the data buffer starts (8 + header length). */
  dataStart: number;
}

/** A tensor read into host memory. `dtype` is the stored dtype; see {@link SafetensorsDtype} for `data`'s type. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** F32/F16/BF16 → Float32Array; I32 → Int32Array; I64 → Int32Array if every value fits, else BigInt64Array. */
  data: Float32Array | Int32Array | BigInt64Array;
}

/** Options of {@link readSafetensors}. */
export interface ReadSafetensorsOptions {
  /** Tensors to read (default: all). A missing name throws `NotFoundError`. */
  names?: readonly string[];
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const CHUNK_BYTES = 1 << 30;

type Handle = Awaited<ReturnType<typeof open>>;

async function readExactly(fh: Handle, target: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    const length = Math.min(CHUNK_BYTES, target.byteLength - done);
    const { bytesRead } = await fh.read(target, done, length, position + done);
    if (bytesRead === 0) throw new DataError(`unexpected end of file at byte ${position + done}`, { file });
    done += bytesRead;
  }
}

async function openFile(path: string): Promise<Handle> {
  try {
    return await open(path, 'r');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`safetensors file not found: ${path}`, { cause });
    }
    throw new IoError(`cannot open ${path}`, { cause });
  }
}

function parseHeader(json: string, headerLength: number, fileSize: number, file: string): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new DataError('header is not valid JSON', { file }, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DataError('header is not a JSON object', { file });
  }
  const dataStart = 8 + headerLength;
  const tensors: Record<string, SafetensorsEntry> = {};
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = { ...(value as Record<string, string>) };
      continue;
    }
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const offsets = entry.data_offsets;
    if (
      typeof entry.dtype !== 'string' ||
      !Array.isArray(entry.shape) ||
      !entry.shape.every((d) => Number.isInteger(d) && d >= 0) ||
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    ) {
      throw new DataError('malformed tensor entry (needs dtype, shape, data_offsets)', { file, field: name });
    }
    const start = dataStart + offsets[0];
    const end = dataStart + offsets[1];
    if (end > fileSize) {
      throw new DataError(`tensor bytes end at ${end}, past the end of the file (${fileSize})`, {
        file,
        field: name,
      });
    }
    if (isSupportedDtype(entry.dtype) && end - start !== shapeSize(entry.shape) * DTYPE_BYTES[entry.dtype]) {
      throw new DataError(
        `byte range ${end - start} does not match ${entry.dtype}${JSON.stringify(entry.shape)}`,
        { file, field: name },
      );
    }
    tensors[name] = { dtype: entry.dtype, shape: entry.shape as number[], start, end };
  }
  return { tensors, metadata, dataStart };
}

async function readHeaderFrom(fh: Handle, path: string): Promise<SafetensorsHeader> {
  const { size } = await fh.stat();
  if (size < 8) throw new DataError('file too short for a safetensors header', { file: path });
  const lengthBytes = new Uint8Array(8);
  await readExactly(fh, lengthBytes, 0, path);
  const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
    throw new DataError(`implausible header length ${headerLength}`, { file: path });
  }
  const headerBytes = new Uint8Array(headerLength);
  await readExactly(fh, headerBytes, 8, path);
  return parseHeader(new TextDecoder().decode(headerBytes), headerLength, size, path);
}

/**
 * Reads only the header of a safetensors file (names, dtypes, shapes, absolute byte ranges, metadata).
 * Throws `NotFoundError` when the file is missing and `DataError` when the header is malformed.
 */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const fh = await openFile(path);
  try {
    return await readHeaderFrom(fh, path);
  } finally {
    await fh.close();
  }
}

function decode(entry: SafetensorsEntry, bytes: Uint8Array): SafetensorsTensor['data'] {
  const count = shapeSize(entry.shape);
  const buffer = bytes.buffer;
  switch (entry.dtype as SafetensorsDtype) {
    case 'F32':
      return new Float32Array(buffer, 0, count);
    case 'I32':
      return new Int32Array(buffer, 0, count);
    case 'F16': {
      const bits = new Uint16Array(buffer, 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfBitsToFloat(bits[i]);
      return out;
    }
    case 'BF16': {
      const bits = new Uint16Array(buffer, 0, count);
      const out = new Float32Array(count);
      const outBits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) outBits[i] = bits[i] << 16;
      return out;
    }
    case 'I64': {
      const wide = new BigInt64Array(buffer, 0, count);
      const narrow = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = wide[i];
        if (v > 2147483647n || v < -2147483648n) return wide;
        narrow[i] = Number(v);
      }
      return narrow;
    }
  }
}

/**
 * Reads tensors of a safetensors file into host memory, each from its own byte range (works past 2 GiB).
 *
 * F32, F16 and BF16 load as `Float32Array`; I32 as `Int32Array`; I64 as `Int32Array` when every value fits in 32
 * bits, else `BigInt64Array`. The returned `dtype` is the stored one, so writing the result back with
 * {@link writeSafetensors} reproduces the file's tensor bytes. Other dtypes throw `UnsupportedError` (only when read).
 */
export async function readSafetensors(
  path: string,
  options: ReadSafetensorsOptions = {},
): Promise<Record<string, SafetensorsTensor>> {
  if (endianness() !== 'LE') throw new UnsupportedError('safetensors reading needs a little-endian host');
  const fh = await openFile(path);
  try {
    const header = await readHeaderFrom(fh, path);
    const names = options.names ?? Object.keys(header.tensors);
    const out: Record<string, SafetensorsTensor> = {};
    for (const name of names) {
      const entry = header.tensors[name];
      if (!entry) throw new NotFoundError(`tensor \`${name}\` is not in ${path}`);
      if (!isSupportedDtype(entry.dtype)) {
        throw new UnsupportedError(`tensor \`${name}\` in ${path} has unsupported dtype ${entry.dtype}`, {
          hint: 'supported: F32, F16, BF16, I32, I64',
        });
      }
      const bytes = new Uint8Array(new ArrayBuffer(entry.end - entry.start));
      await readExactly(fh, bytes, entry.start, path);
      out[name] = { dtype: entry.dtype, shape: [...entry.shape], data: decode(entry, bytes) };
    }
    return out;
  } finally {
    await fh.close();
  }
}
