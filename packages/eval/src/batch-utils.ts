import { type RewardModel, sliceBatch, type TokenBatch, throwIfAborted } from '@ocrm/core';

/** The valid response ids of each row (mask 1 after `promptLength`), i.e. through the first EOS. */
export function responseIds(batch: TokenBatch): number[][] {
  const rows: number[][] = [];
  const T = batch.seqLength;
  for (let b = 0; b < batch.batchSize; b++) {
    const row: number[] = [];
    for (let t = batch.promptLength; t < T; t++) if (batch.mask[b * T + t]) row.push(batch.ids[b * T + t]!);
    rows.push(row);
  }
  return rows;
}

/**
 * Reward-model scores of every row, computed `microBatchSize` rows at a time (no gradient). Host float64 `[B]`; no
 * tensor is left behind.
 */
export async function scoreBatch(
  rm: RewardModel,
  batch: TokenBatch,
  microBatchSize: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const out = new Float64Array(batch.batchSize);
  for (let start = 0; start < batch.batchSize; start += microBatchSize) {
    throwIfAborted(signal);
    const scores = rm.score(sliceBatch(batch, start, start + microBatchSize));
    try {
      out.set(await scores.data(), start);
    } finally {
      scores.dispose();
    }
  }
  return out;
}
