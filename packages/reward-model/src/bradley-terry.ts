import { InvalidArgumentError, NumericError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/** How a batch's pair weights are scaled before the loss. */
export type WeightNormalization =
  /** `w = exp(logWeight)` as given. */
  | 'none'
  /** `w = exp(logWeight - logmeanexp(batch))`: the batch's weights average 1 (loss scale independent of batch size). */
  | 'batch';

/** Options of {@link bradleyTerryLoss}. */
export interface BradleyTerryOptions {
  /** Default `'none'`. */
  normalize?: WeightNormalization;
}

/** Largest log-weight whose `exp` is a finite float32 (exp(88.7) overflows). */
const MAX_FLOAT32_LOG = 88;

/**
 * Pair weights from log-weights, computed in float64 on the host in log space.
 *
 * `'batch'`: `w_i = exp(lw_i - logmeanexp(lw))`, so the weights average 1 and a huge log-weight cannot overflow (it takes
 * the whole mass: w = N for that pair, 0 for the others). A log-weight of `-Infinity` (weight 0) gives exactly 0. When
 * every log-weight is `-Infinity` all weights are 0. `'none'`: `w_i = exp(lw_i)`; a log-weight above 88 overflows
 * float32 and throws a {@link NumericError}.
 *
 * @param logWeights `[N]` log-weights (absent = all 0, weight 1).
 * @returns `[N]` weights as a host array.
 */
export function pairWeights(
  logWeights: ArrayLike<number> | undefined,
  n: number,
  normalize: WeightNormalization = 'none',
): Float32Array {
  const weights = new Float32Array(n);
  if (logWeights === undefined) return weights.fill(1);
  if (logWeights.length !== n) {
    throw new InvalidArgumentError(`logWeights has ${logWeights.length} entries for ${n} pairs.`);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const lw = logWeights[i]!;
    if (Number.isNaN(lw) || lw === Number.POSITIVE_INFINITY) {
      throw new NumericError(`logWeights[${i}] is ${lw}; log-weights must be finite or -Infinity.`);
    }
    if (lw > max) max = lw;
  }
  if (normalize === 'none') {
    if (max > MAX_FLOAT32_LOG) {
      throw new NumericError(`logWeight ${max} overflows float32 when exponentiated.`, {
        hint: "use normalize: 'batch' or clip the log-weights (importanceWeighting's clipLogWeight).",
      });
    }
    for (let i = 0; i < n; i++) weights[i] = Math.exp(logWeights[i]!);
    return weights;
  }
  if (max === Number.NEGATIVE_INFINITY) return weights; // every weight is 0
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logWeights[i]! - max);
  const logMeanExp = max + Math.log(sum / n);
  for (let i = 0; i < n; i++) weights[i] = Math.exp(logWeights[i]! - logMeanExp);
  return weights;
}

/**
 * Weighted Bradley-Terry loss, averaged over the batch:
 * `mean_i w_i · softplus(-(rChosen_i - rRejected_i))` (= `-w_i log σ(r_c - r_r)`, stable for any margin).
 * Weights come from {@link pairWeights} (log space; a weight of 0 removes the pair and its gradient exactly).
 *
 * @param rChosen `[N]` rewards of the chosen responses (not disposed).
 * @param rRejected `[N]` rewards of the rejected responses (not disposed).
 * @param logWeights `[N]` host log-weights, constants of the loss (no gradient); absent = unweighted.
 * @returns Scalar loss tensor, owned by the caller; differentiable with respect to the rewards.
 * @example
 * const loss = bradleyTerryLoss(tf.tensor1d([2]), tf.tensor1d([1])); // softplus(-1) = 0.3133
 */
export function bradleyTerryLoss(
  rChosen: tf.Tensor1D,
  rRejected: tf.Tensor1D,
  logWeights?: ArrayLike<number>,
  options: BradleyTerryOptions = {},
): tf.Scalar {
  const n = rChosen.shape[0];
  if (rRejected.shape[0] !== n) {
    throw new InvalidArgumentError(`rChosen has ${n} rows but rRejected has ${rRejected.shape[0]}.`);
  }
  if (n === 0) throw new InvalidArgumentError('bradleyTerryLoss needs at least one pair.');
  const weights = pairWeights(logWeights, n, options.normalize ?? 'none');
  return tf.tidy(() => {
    const perPair = tf.softplus(tf.neg(tf.sub(rChosen, rRejected)));
    const weighted = logWeights === undefined ? perPair : tf.mul(perPair, tf.tensor1d(weights));
    return tf.mean(weighted) as tf.Scalar;
  });
}

/** Host-side pair statistics of a batch of rewards. */
export interface PairStats {
  /** Unweighted mean BT loss over all pairs. */
  loss: number;
  /** Fraction of non-tied pairs with `rChosen > rRejected`; NaN when every pair is a tie. */
  accuracy: number;
  /** Pairs counted in `accuracy`. */
  counted: number;
  /** Mean `rChosen - rRejected`. */
  margin: number;
}

/**
 * Unweighted loss, accuracy (pairs flagged as gold ties excluded) and mean margin, from host rewards.
 * @param ties `[N]` true where the gold labels tie (excluded from accuracy).
 */
export function pairStats(
  rChosen: ArrayLike<number>,
  rRejected: ArrayLike<number>,
  ties?: ArrayLike<boolean | undefined>,
): PairStats {
  let loss = 0;
  let margin = 0;
  let correct = 0;
  let counted = 0;
  const n = rChosen.length;
  for (let i = 0; i < n; i++) {
    const d = rChosen[i]! - rRejected[i]!;
    margin += d;
    loss += d > 0 ? Math.log1p(Math.exp(-d)) : -d + Math.log1p(Math.exp(d));
    if (ties?.[i]) continue;
    counted++;
    if (d > 0) correct++;
  }
  return {
    loss: loss / n,
    accuracy: counted > 0 ? correct / counted : Number.NaN,
    counted,
    margin: margin / n,
  };
}
