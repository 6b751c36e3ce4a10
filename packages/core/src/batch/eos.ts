import { InvalidArgumentError } from '../errors';

function checkDims(name: string, ids: ArrayLike<number>, rows: number, cols: number): void {
  if (
    !Number.isSafeInteger(rows) ||
    !Number.isSafeInteger(cols) ||
    rows < 0 ||
    cols < 0 ||
    ids.length !== rows * cols
  ) {
    throw new InvalidArgumentError(
      `${name}: ids has ${ids.length} entries, expected rows × cols = ${rows} × ${cols}.`,
    );
  }
}

/**
 * Column of the first `eosId` in each row of a row-major `[rows, cols]` id matrix, or -1 when a row has none.
 *
 * Two forms: `firstEosIndex(ids, rows, cols, eosId)` on a flat matrix, or `firstEosIndex(sequences, eosId)` on a list
 * of unpadded sequences.
 * @returns a new Int32Array `[rows]`.
 */
export function firstEosIndex(ids: ArrayLike<number>, rows: number, cols: number, eosId: number): Int32Array;
export function firstEosIndex(sequences: readonly ArrayLike<number>[], eosId: number): Int32Array;
export function firstEosIndex(
  ids: ArrayLike<number> | readonly ArrayLike<number>[],
  a: number,
  cols?: number,
  eosId?: number,
): Int32Array {
  if (cols === undefined || eosId === undefined) {
    const sequences = ids as readonly ArrayLike<number>[];
    const out = new Int32Array(sequences.length).fill(-1);
    sequences.forEach((seq, r) => {
      for (let t = 0; t < seq.length; t++) {
        if (seq[t] === a) {
          out[r] = t;
          break;
        }
      }
    });
    return out;
  }
  const flat = ids as ArrayLike<number>;
  const rows = a;
  checkDims('firstEosIndex', flat, rows, cols);
  const out = new Int32Array(rows).fill(-1);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < cols; t++) {
      if (flat[r * cols + t] === eosId) {
        out[r] = t;
        break;
      }
    }
  }
  return out;
}

/**
 * Mask `[rows, cols]` that is 1 up to and including each row's first `eosId` and 0 after it (all 1 in a row without
 * EOS). Pass the response part of a batch: everything after the first EOS becomes padding.
 *
 * @returns a new Uint8Array `[rows, cols]`.
 */
export function maskThroughFirstEos(
  ids: ArrayLike<number>,
  rows: number,
  cols: number,
  eosId: number,
): Uint8Array {
  const first = firstEosIndex(ids, rows, cols, eosId);
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const end = first[r] === -1 ? cols : (first[r] as number) + 1;
    mask.fill(1, r * cols, r * cols + end);
  }
  return mask;
}
