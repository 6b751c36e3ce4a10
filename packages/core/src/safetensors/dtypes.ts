/**
 * The safetensors dtypes OCRM reads and writes, and the float16 / bfloat16 bit conversions.
 *
 * In memory, F32, F16 and BF16 tensors are `Float32Array`s; I32 tensors are `Int32Array`s; I64 tensors are
 * `Int32Array`s when every value fits in 32 bits, else `BigInt64Array`s.
 */

/** A safetensors element type supported here. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64';

/** Bytes per element of each supported dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = Object.freeze({
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  I64: 8,
});

/** True when `dtype` is one of {@link SafetensorsDtype}. */
export function isSupportedDtype(dtype: string): dtype is SafetensorsDtype {
  return Object.hasOwn(DTYPE_BYTES, dtype);
}

/** Number of elements of a tensor of this shape (1 for a scalar `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Converts IEEE half-precision bits to a float32 (exact). */
export function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Converts a number to IEEE half-precision bits (round to nearest even; overflow → ±Inf). */
export function floatToHalfBits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let result = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && result & 1)) result += 1;
    return sign | result;
  }
  let result = mantissa >> 13;
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && result & 1)) {
    result += 1;
    if (result === 0x400) {
      result = 0;
      e += 1;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | result;
}

/** Converts bfloat16 bits (the top half of a float32) to a float32 (exact). */
export function bfloat16BitsToFloat(bits: number): number {
  u32Scratch[0] = bits << 16;
  return f32Scratch[0];
}

/** Converts a number to bfloat16 bits (round to nearest even; NaN stays NaN). */
export function floatToBfloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}
