/**
 * safetensors IO: header parsing, byte-range tensor reads (files over 2 GiB), atomic writes.
 * Format: https://github.com/huggingface/safetensors (8-byte LE header length, JSON header, raw LE data).
 */
export {
  bfloat16BitsToFloat,
  DTYPE_BYTES,
  floatToBfloat16Bits,
  floatToHalfBits,
  halfBitsToFloat,
  type SafetensorsDtype,
} from './dtypes';
export {
  type ReadSafetensorsOptions,
  readSafetensors,
  readSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type SafetensorsTensor,
} from './read';
export { type SafetensorsInput, writeSafetensors } from './write';
