import { responseLength, type TokenBatch } from '../contracts/token-batch';
import { InvalidArgumentError, ShapeError } from '../errors';

/**
 * Rows `[start, end)` of a batch, as a new batch with copied arrays (negative or out-of-range bounds are clamped
 * like `Array.prototype.slice`).
 */
export function sliceBatch(batch: TokenBatch, start: number, end: number = batch.batchSize): TokenBatch {
  const clamp = (i: number) => (i < 0 ? Math.max(0, batch.batchSize + i) : Math.min(i, batch.batchSize));
  const from = clamp(start);
  const to = Math.max(from, clamp(end));
  const T = batch.seqLength;
  return {
    ids: batch.ids.slice(from * T, to * T),
    mask: batch.mask.slice(from * T, to * T),
    batchSize: to - from,
    seqLength: T,
    promptLength: batch.promptLength,
  };
}

/**
 * Rows `rows` of a batch (any order, repeats allowed), as a new batch with copied arrays: `[rows.length, T]`.
 */
export function selectBatchRows(batch: TokenBatch, rows: readonly number[]): TokenBatch {
  const T = batch.seqLength;
  const ids = new Int32Array(rows.length * T);
  const mask = new Uint8Array(rows.length * T);
  rows.forEach((row, i) => {
    ids.set(batch.ids.subarray(row * T, (row + 1) * T), i * T);
    mask.set(batch.mask.subarray(row * T, (row + 1) * T), i * T);
  });
  return { ids, mask, batchSize: rows.length, seqLength: T, promptLength: batch.promptLength };
}

/** Options of {@link concatBatches}. */
export interface ConcatBatchesOptions {
  /** Needed only when the batches' prompt or response lengths differ: the id written at the new padding. */
  padId?: number;
}

/**
 * Stacks batches row-wise into a new batch. Batches with different prompt/response lengths are re-padded to the
 * longest of each (prompts left, responses right), which needs `padId`.
 *
 * @throws ShapeError when lengths differ and no `padId` is given; InvalidArgumentError for an empty list.
 */
export function concatBatches(
  batches: readonly TokenBatch[],
  options: ConcatBatchesOptions = {},
): TokenBatch {
  if (batches.length === 0) throw new InvalidArgumentError('concatBatches: give at least one batch.');
  const P = Math.max(...batches.map((b) => b.promptLength));
  const R = Math.max(...batches.map((b) => responseLength(b)));
  const T = P + R;
  const same = batches.every((b) => b.promptLength === P && b.seqLength === T);
  if (!same && options.padId === undefined) {
    throw new ShapeError(
      `concatBatches: batches have different prompt/response lengths (${batches
        .map((b) => `${b.promptLength}+${responseLength(b)}`)
        .join(', ')}).`,
      { hint: 'Pass `{ padId }` so they can be re-padded to the longest.' },
    );
  }
  const total = batches.reduce((s, b) => s + b.batchSize, 0);
  const ids = new Int32Array(total * T).fill(options.padId ?? 0);
  const mask = new Uint8Array(total * T);
  let row = 0;
  for (const b of batches) {
    if (same) {
      ids.set(b.ids, row * T);
      mask.set(b.mask, row * T);
      row += b.batchSize;
      continue;
    }
    const shift = P - b.promptLength; // prompts move right by `shift`; responses start at P
    for (let i = 0; i < b.batchSize; i++, row++) {
      const src = i * b.seqLength;
      const dst = row * T + shift;
      ids.set(b.ids.subarray(src, src + b.seqLength), dst);
      mask.set(b.mask.subarray(src, src + b.seqLength), dst);
    }
  }
  return { ids, mask, batchSize: total, seqLength: T, promptLength: P };
}
