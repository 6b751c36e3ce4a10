/**
 * Philox-4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011), in pure
 * JavaScript. A counter-based generator: the output block is a pure function of a 128-bit counter and a 64-bit key,
 * so any position of any stream can be computed directly, with no state to save. Matches Random123's known-answer
 * vectors (see `philox.test.ts`).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (exact, via 16-bit limbs in doubles). */
function mulhi32(a: number, b: number): number {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const lowLow = aLo * bLo;
  const mid = aHi * bLo + aLo * bHi + Math.floor(lowLow / 65536);
  return (aHi * bHi + Math.floor(mid / 65536)) >>> 0;
}

/**
 * One Philox-4x32-10 block: 4 uint32 outputs from a 4-word counter and a 2-word key (all uint32).
 * Writes into `out` (length ≥ 4) and returns it.
 */
export function philox4x32(
  counter: ArrayLike<number>,
  key: ArrayLike<number>,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}
