import { InvalidArgumentError, responseLength, type TokenBatch, type TokenStats } from '@ocrm/core';
import type * as tf from '@tensorflow/tfjs';

/** Per-pair WPO inputs: `u` of each response (see {@link wpoResponseScores}). Host arrays of length N. */
export interface WpoWeightInput {
  /** `u(y_w)` per pair. */
  uChosen: ArrayLike<number>;
  /** `u(y_l)` per pair. */
  uRejected: ArrayLike<number>;
}

/**
 * WPO log-weights (Zhou et al. 2024, as docs/algorithm.md states it): `min(0, u_w + u_l)` per pair, so the weight
 * `exp(logWeight) = min(1, exp(u_w + u_l))` never overflows. Host math in float64; never differentiated.
 */
export function wpoLogWeights(input: WpoWeightInput): Float64Array {
  const n = input.uChosen.length;
  if (input.uRejected.length !== n) {
    throw new InvalidArgumentError(`uChosen has ${n} entries but uRejected has ${input.uRejected.length}`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sum = input.uChosen[i]! + input.uRejected[i]!;
    if (Number.isNaN(sum)) throw new InvalidArgumentError(`WPO score of pair ${i} is NaN`);
    out[i] = Math.min(0, sum);
  }
  return out;
}

/**
 * WPO pair weights `min(1, exp(u_w + u_l))`, computed in log space (`exp(min(0, u_w + u_l))`), in `(0, 1]`.
 * Host arrays; the weight carries no gradient (the trainer computes it outside the differentiated function).
 *
 * @example
 * ```ts
 * wpoWeights({ uChosen: [-1, 2], uRejected: [-0.5, 1] }); // Float64Array [exp(-1.5), 1]
 * ```
 */
export function wpoWeights(input: WpoWeightInput): Float64Array {
  return wpoLogWeights(input).map(Math.exp);
}

/**
 * WPO's per-response score `u(y) = mean_t [log π(y_t) − log Σ_v π(v)²]` over the response's valid tokens (through
 * the first EOS), from a policy's {@link TokenStats} of `batch`. Reads the tensors to the host (`dataSync`); does not
 * dispose them (the caller owns `stats`). Rows without a valid response token get `u = 0`.
 *
 * @param stats `[B, T_resp]` tensors from `policy.tokenStats(batch)`.
 * @returns `[B]` Float64Array.
 */
export function wpoResponseScores(stats: TokenStats, batch: TokenBatch): Float64Array {
  const tResp = responseLength(batch);
  const b = batch.batchSize;
  checkShape(stats.logProbs, b, tResp, 'logProbs');
  checkShape(stats.logSumSquares, b, tResp, 'logSumSquares');
  const logProbs = stats.logProbs.dataSync();
  const logSumSquares = stats.logSumSquares.dataSync();
  const out = new Float64Array(b);
  for (let row = 0; row < b; row++) {
    let sum = 0;
    let count = 0;
    for (let t = 0; t < tResp; t++) {
      if (batch.mask[row * batch.seqLength + batch.promptLength + t] === 0) continue;
      sum += logProbs[row * tResp + t]! - logSumSquares[row * tResp + t]!;
      count++;
    }
    out[row] = count > 0 ? sum / count : 0;
  }
  return out;
}

function checkShape(tensor: tf.Tensor, b: number, t: number, name: string): void {
  if (tensor.rank !== 2 || tensor.shape[0] !== b || tensor.shape[1] !== t) {
    throw new InvalidArgumentError(`tokenStats.${name} has shape [${tensor.shape}], expected [${b}, ${t}]`);
  }
}
