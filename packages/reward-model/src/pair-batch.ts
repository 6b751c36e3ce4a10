import { buildTokenBatch, type PreferencePair, type TokenBatch } from '@ocrm/core';

/**
 * Packs labelled pairs into one batch of `2N` rows: rows `[0, N)` are prompt + chosen, rows `[N, 2N)` prompt +
 * rejected (prompts left-padded, responses right-padded), so one forward scores both sides.
 */
export function pairBatch(pairs: readonly PreferencePair[], padId: number): TokenBatch {
  const prompts = [...pairs.map((p) => p.promptIds), ...pairs.map((p) => p.promptIds)];
  const responses = [...pairs.map((p) => p.chosenIds), ...pairs.map((p) => p.rejectedIds)];
  return buildTokenBatch({ prompts, responses, padId });
}

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
