import {
  InvalidArgumentError,
  type Policy,
  type PreferencePair,
  pairTokenBatch,
  throwIfAborted,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Sequence log-prob sums of chosen and rejected responses from a pair batch's per-token log-probs `[2m, T_resp]`
 * of a core `pairTokenBatch(pairs, { padId, eosId })` (chosen rows first, then rejected rows; 0 at masked positions,
 * so a plain sum stops at the first EOS). Differentiable; returns two new `[m]` tensors.
 */
export function splitPairSums(tokenLogProbs: tf.Tensor2D): { chosen: tf.Tensor1D; rejected: tf.Tensor1D } {
  const rows = tokenLogProbs.shape[0];
  if (rows % 2 !== 0) throw new InvalidArgumentError(`a pair batch has an even number of rows, got ${rows}`);
  return tf.tidy(() => {
    const sums = tf.sum(tokenLogProbs, 1) as tf.Tensor1D;
    const [chosen, rejected] = tf.split(sums, 2) as [tf.Tensor1D, tf.Tensor1D];
    return { chosen, rejected };
  });
}

/** Host sums (float64) of chosen and rejected responses of every pair, in input order. */
export interface PairSums {
  chosen: Float64Array;
  rejected: Float64Array;
}

/**
 * Sequence log-prob sums (temperature 1, through the first EOS) of every pair's chosen and rejected response under
 * `policy`, with no gradient: micro-batches of `microBatchSize` pairs, one `tf.tidy` each, per-token values summed
 * on the host in float64. Used once up front for the frozen reference.
 */
export function pairLogProbSums(
  policy: Policy,
  pairs: readonly PreferencePair[],
  options: { microBatchSize: number; signal?: AbortSignal },
): PairSums {
  const n = pairs.length;
  const out: PairSums = { chosen: new Float64Array(n), rejected: new Float64Array(n) };
  for (let start = 0; start < n; start += options.microBatchSize) {
    throwIfAborted(options.signal);
    const slice = pairs.slice(start, start + options.microBatchSize);
    const batch = pairTokenBatch(slice, { padId: policy.padId, eosId: policy.eosId });
    const values = tf.tidy(() => policy.logProbs(batch, { temperature: 1 }).logProbs.dataSync());
    const tResp = batch.seqLength - batch.promptLength;
    for (let row = 0; row < batch.batchSize; row++) {
      let sum = 0;
      for (let t = 0; t < tResp; t++) sum += values[row * tResp + t]!;
      const target = row < slice.length ? out.chosen : out.rejected;
      target[start + (row % slice.length)] = sum;
    }
  }
  return out;
}
