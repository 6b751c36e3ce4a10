import { InvalidArgumentError } from '../errors';
import { philox4x32 } from './philox';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * A reproducible stream of random numbers, drawn from Philox-4x32-10 blocks.
 *
 * Not safe to share between concurrent consumers that must each be reproducible: give each its own
 * `rng(seed, stream, step)` instead (creating one is cheap).
 */
export interface Rng {
  readonly seed: number;
  readonly stream: number;
  readonly step: number;
  /** Next uniform number in [0, 1) with 53 random bits. */
  uniform(): number;
  /** `n` uniforms in [0, 1) (the same numbers `n` calls of `uniform()` would give). */
  uniforms(n: number): Float64Array;
  /** Next standard normal N(0, 1) (Box–Muller; values come in pairs). */
  normal(): number;
  /** `n` standard normals (the same numbers `n` calls of `normal()` would give). */
  normals(n: number): Float64Array;
  /** Next integer in [0, n), n ≥ 1 (`floor(uniform() * n)`; bias ≤ n / 2^53). */
  int(n: number): number;
  /** Next raw uint32. */
  uint32(): number;
}

function checkInteger(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`rng: \`${name}\` must be an integer in [0, ${max}], got ${value}.`);
  }
}

class PhiloxRng implements Rng {
  private readonly key: Uint32Array;
  private readonly counter = new Uint32Array(4);
  private readonly block = new Uint32Array(4);
  /** Next unread word of `block`; 4 = block exhausted. */
  private word = 4;
  private blockIndex = 0;
  private spareNormal: number | undefined;

  constructor(
    readonly seed: number,
    readonly stream: number,
    readonly step: number,
  ) {
    this.key = new Uint32Array([seed >>> 0, stream >>> 0]);
    // counter = [block index, high bits of the seed, step low 32 bits, step high 21 bits]
    this.counter[1] = Math.floor(seed / TWO_POW_32);
    this.counter[2] = step >>> 0;
    this.counter[3] = Math.floor(step / TWO_POW_32);
  }

  uint32(): number {
    if (this.word === 4) {
      if (this.blockIndex >= TWO_POW_32) {
        throw new InvalidArgumentError(
          'rng: one (seed, stream, step) stream is exhausted after 2^34 words.',
          {
            hint: 'Draw from a new step or stream.',
          },
        );
      }
      this.counter[0] = this.blockIndex++;
      philox4x32(this.counter, this.key, this.block);
      this.word = 0;
    }
    return this.block[this.word++] as number;
  }

  uniform(): number {
    const a = this.uint32() >>> 5; // 27 bits
    const b = this.uint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_POW_53;
  }

  uniforms(n: number): Float64Array {
    checkInteger('n', n, 2 ** 31);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  normals(n: number): Float64Array {
    checkInteger('n', n, 2 ** 31);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`rng.int: \`n\` must be a positive integer, got ${n}.`);
    }
    return Math.floor(this.uniform() * n);
  }
}

/**
 * A counter-based random stream: the same `(seed, stream, step)` always gives the same numbers, and different
 * streams or steps give independent ones (distinct Philox keys/counters). Nothing needs saving to resume a run:
 * recreate `rng(seed, stream, step)` for the step you resume at.
 *
 * Layout: Philox key = `[seed mod 2^32, stream]`; counter = `[block index, floor(seed / 2^32), step mod 2^32,
 * floor(step / 2^32)]`.
 *
 * @param seed - run seed, integer in [0, 2^53).
 * @param stream - consumer id (e.g. 0 = data order, 1 = sampling, 2 = init), integer in [0, 2^32).
 * @param step - training step / call index, integer in [0, 2^53).
 * @example
 * const r = rng(42, 1, step);
 * const u = r.uniform();
 */
export function rng(seed: number, stream = 0, step = 0): Rng {
  checkInteger('seed', seed, TWO_POW_53 - 1);
  checkInteger('stream', stream, TWO_POW_32 - 1);
  checkInteger('step', step, TWO_POW_53 - 1);
  return new PhiloxRng(seed, stream, step);
}

/** A uniformly random permutation of `0 … n-1` (Fisher–Yates), as a new array. */
export function permutation(n: number, r: Rng): number[] {
  checkInteger('n', n, 2 ** 31);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const tmp = out[i] as number;
    out[i] = out[j] as number;
    out[j] = tmp;
  }
  return out;
}

/** A uniformly shuffled copy of `array` (the input is not modified). */
export function shuffle<T>(array: readonly T[], r: Rng): T[] {
  return permutation(array.length, r).map((i) => array[i] as T);
}
