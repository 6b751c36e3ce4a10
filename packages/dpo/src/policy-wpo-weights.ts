import { type Policy, type PreferencePair, pairTokenBatch, throwIfAborted } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { wpoLogWeights, wpoResponseScores } from './wpo-weights';

/**
 * WPO weights `min(1, exp(u_w + u_l))` of pairs under `policy` (its `tokenStats`, temperature 1), in input order.
 * Runs outside any gradient tape (call it before the differentiated function), so no gradient flows through the
 * weight. Micro-batches of `microBatchSize` pairs; every tensor is freed.
 *
 * @returns Float64Array `[N]` in `(0, 1]`.
 */
export function policyWpoWeights(
  policy: Policy,
  pairs: readonly PreferencePair[],
  options: { microBatchSize: number; signal?: AbortSignal },
): Float64Array {
  const out = new Float64Array(pairs.length);
  for (let start = 0; start < pairs.length; start += options.microBatchSize) {
    throwIfAborted(options.signal);
    const slice = pairs.slice(start, start + options.microBatchSize);
    const batch = pairTokenBatch(slice, { padId: policy.padId, eosId: policy.eosId });
    const stats = policy.tokenStats(batch);
    let u: Float64Array;
    try {
      u = wpoResponseScores(stats, batch);
    } finally {
      tf.dispose([stats.logProbs, stats.logSumSquares]);
    }
    const m = slice.length;
    out.set(wpoLogWeights({ uChosen: u.subarray(0, m), uRejected: u.subarray(m) }).map(Math.exp), start);
  }
  return out;
}
