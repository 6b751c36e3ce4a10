/**
 * Types of `crc-32`'s CRC32C (Castagnoli) module, which its package does not declare (the same API as its CRC32). A
 * CommonJS module: Node's ESM loader gives it as the default export only.
 */
declare module 'crc-32/crc32c.js' {
  const CRC32C: {
    /** CRC32C of the bytes, as a signed 32-bit integer. */
    buf(data: number[] | Uint8Array, seed?: number): number;
  };
  export default CRC32C;
}
