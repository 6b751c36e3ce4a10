import type { TokenBatch } from '@ocrm/core';

/**
 * Rows `rows` of a row-major `[B, T]` host array, as a new Float32Array `[rows.length, T]`.
 * @internal
 */
export function selectRows(data: ArrayLike<number>, T: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * T);
  rows.forEach((row, i) => {
    for (let t = 0; t < T; t++) out[i * T + t] = data[row * T + t] as number;
  });
  return out;
}

/**
 * The batch the critic sees: response positions set in `valueMask` (`[B, T_resp]`) but padded in `batch` become
 * valid, with id 0 (the `'eosPlus1'` score slot). The value of response token t is read from the hidden state at
 * `promptLength - 1 + t`, which is causal in the tokens before it, so the extra token never changes any value: it
 * only stops the critic from zeroing that slot. Returns `batch` itself when nothing changes.
 * @internal
 */
export function criticBatch(batch: TokenBatch, valueMask: ArrayLike<number>): TokenBatch {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  const R = T - P;
  let ids: Int32Array | undefined;
  let mask: Uint8Array | undefined;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < R; t++) {
      const i = b * T + P + t;
      if (!valueMask[b * R + t] || batch.mask[i]) continue;
      ids ??= batch.ids.slice();
      mask ??= batch.mask.slice();
      ids[i] = 0;
      mask[i] = 1;
    }
  }
  if (ids === undefined || mask === undefined) return batch;
  return { ids, mask, batchSize: B, seqLength: T, promptLength: P };
}
