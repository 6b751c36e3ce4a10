/**
 * Writing safetensors files atomically (temporary file + rename), in the layout the Rust/Python library writes:
 * an 8-byte little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes (`__metadata__`
 * first, then tensors by dtype then name, as the reference writer orders them), then the tensors' raw little-endian bytes in the same order.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import { InvalidArgumentError, IoError, ShapeError, UnsupportedError } from '../errors';
import {
  DTYPE_BYTES,
  floatToBfloat16Bits,
  floatToHalfBits,
  isSupportedDtype,
  type SafetensorsDtype,
  shapeSize,
} from './dtypes';

/**
 * A tensor to write. `data` holds `shapeSize(shape)` elements in row-major order:
 * F32/F16/BF16 from any numeric array (a `Uint16Array` given for F16/BF16 is taken as raw bits);
 * I32 from integers; I64 from integers or a `BigInt64Array`.
 */
export interface SafetensorsInput {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: ArrayLike<number> | BigInt64Array;
}

const CHUNK_BYTES = 1 << 30;
/** Position of each dtype in the Rust `Dtype` enum (the reference writer's sort key). */
const DTYPE_RANK: Readonly<Record<string, number>> = { F16: 11, BF16: 12, I32: 13, F32: 15, I64: 17 };

function encode(name: string, tensor: SafetensorsInput): Uint8Array {
  const { dtype, shape, data } = tensor;
  if (!isSupportedDtype(dtype)) {
    throw new UnsupportedError(`tensor \`${name}\`: unsupported dtype ${String(dtype)}`, {
      hint: 'supported: F32, F16, BF16, I32, I64',
    });
  }
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InvalidArgumentError(`tensor \`${name}\`: invalid shape ${JSON.stringify(shape)}`);
  }
  const count = shapeSize(shape);
  if (data.length !== count) {
    throw new ShapeError(
      `tensor \`${name}\`: shape ${JSON.stringify(shape)} needs ${count} values, got ${data.length}`,
    );
  }
  const isBig = data instanceof BigInt64Array;
  if (isBig && dtype !== 'I64') {
    throw new InvalidArgumentError(`tensor \`${name}\`: BigInt64Array data can only be written as I64`);
  }
  let view: ArrayBufferView;
  switch (dtype) {
    case 'F32':
      view = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
      break;
    case 'I32':
      view = data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>);
      break;
    case 'I64':
      view = isBig
        ? data
        : BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(Math.trunc(v))));
      break;
    case 'F16':
    case 'BF16': {
      if (data instanceof Uint16Array) {
        view = data;
        break;
      }
      const convert = dtype === 'F16' ? floatToHalfBits : floatToBfloat16Bits;
      const bits = new Uint16Array(count);
      const values = data as ArrayLike<number>;
      for (let i = 0; i < count; i++) bits[i] = convert(values[i]);
      view = bits;
      break;
    }
  }
  return new Uint8Array(view.buffer, view.byteOffset, count * DTYPE_BYTES[dtype]);
}

/** Builds the padded header bytes and the tensors' bytes in file order. */
function layout(
  tensors: Record<string, SafetensorsInput>,
  metadata: Record<string, string> | undefined,
): { header: Uint8Array; blobs: Uint8Array[] } {
  // The Rust library's order: dtype rank descending (I64, F32, I32, BF16, F16), then name.
  const names = Object.keys(tensors).sort(
    (a, b) => DTYPE_RANK[tensors[b].dtype] - DTYPE_RANK[tensors[a].dtype] || (a < b ? -1 : a > b ? 1 : 0),
  );
  const json: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new InvalidArgumentError(`metadata \`${k}\` must be a string`);
    }
    json.__metadata__ = metadata;
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new InvalidArgumentError('`__metadata__` is not a valid tensor name');
    const bytes = encode(name, tensors[name]);
    const t = tensors[name];
    json[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
    blobs.push(bytes);
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(text.byteLength / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + text.byteLength);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(text, 8);
  return { header, blobs };
}

/**
 * Writes `tensors` to a safetensors file at `path`, atomically: the bytes go to a temporary file beside it, which
 * is then renamed over `path` (readers never see a half-written file). `metadata` becomes `__metadata__` (strings).
 * Writing what {@link readSafetensors} returned reproduces the original tensor bytes exactly.
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): Promise<void> {
  if (endianness() !== 'LE') throw new UnsupportedError('safetensors writing needs a little-endian host');
  const { header, blobs } = layout(tensors, metadata);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      let position = 0;
      for (const chunk of [header, ...blobs]) {
        for (let done = 0; done < chunk.byteLength; ) {
          const length = Math.min(CHUNK_BYTES, chunk.byteLength - done);
          const { bytesWritten } = await fh.write(chunk, done, length, position);
          done += bytesWritten;
          position += bytesWritten;
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    if (
      cause instanceof Error &&
      'code' in cause &&
      typeof (cause as NodeJS.ErrnoException).code === 'string'
    ) {
      throw new IoError(`cannot write ${path}`, { cause });
    }
    throw cause;
  }
}
