import type { TokenBatch } from '@ocrm/core';

/**
 * Index of the last valid (mask 1) position of every row, `[B]`; -1 for an all-padding row.
 * With left-padded prompts and right-padded responses this is the response's EOS (or its last token).
 */
export function lastValidIndex(batch: TokenBatch): Int32Array {
  const { batchSize: B, seqLength: T } = batch;
  const out = new Int32Array(B).fill(-1);
  for (let b = 0; b < B; b++) {
    for (let t = T - 1; t >= 0; t--) {
      if (batch.mask[b * T + t]) {
        out[b] = t;
        break;
      }
    }
  }
  return out;
}
