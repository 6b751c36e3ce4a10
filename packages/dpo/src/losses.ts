import { InvalidArgumentError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/**
 * A vector of per-pair numbers: a `[B]` tensor (possibly under a gradient tape) or host numbers (no gradient).
 * Host values are converted to float32 tensors inside the calling function's `tf.tidy`.
 */
export type PairVector = tf.Tensor1D | ArrayLike<number>;

/** Sequence log-prob sums of a batch of pairs (each `[B]`; summed over response tokens through the first EOS). */
export interface PairLogProbs {
  /** `log π(y_w)` under the policy being trained. Differentiable. */
  policyChosen: PairVector;
  /** `log π(y_l)` under the policy being trained. Differentiable. */
  policyRejected: PairVector;
  /** `log π_ref(y_w)` under the frozen reference (no gradient needed). */
  refChosen: PairVector;
  /** `log π_ref(y_l)` under the frozen reference. */
  refRejected: PairVector;
}

/** Options of {@link dpoLoss}. */
export interface DpoLossOptions extends PairLogProbs {
  /** β, the strength of the implicit KL penalty (paper: 0.05). */
  beta?: number;
  /** ε, the probability that a label is flipped (conservative DPO / cDPO; 0 = plain DPO). In `[0, 0.5)`. */
  labelSmoothing?: number;
}

/** Options of {@link ipoLoss}. */
export interface IpoLossOptions extends PairLogProbs {
  /** β; the IPO target margin is `1 / (2β)`. */
  beta?: number;
}

function toVector(value: PairVector, name: string): tf.Tensor1D {
  if (value instanceof tf.Tensor) {
    if (value.rank !== 1)
      throw new InvalidArgumentError(`\`${name}\` must be a [B] tensor, got rank ${value.rank}`);
    return value;
  }
  return tf.tensor1d(Array.from(value), 'float32');
}

function checkBeta(beta: number): void {
  if (!(Number.isFinite(beta) && beta > 0)) {
    throw new InvalidArgumentError(`\`beta\` must be a finite number > 0, got ${beta}`);
  }
}

/**
 * The DPO implicit-reward margin of each pair:
 * `h = [log π(y_w) − log π(y_l)] − [log π_ref(y_w) − log π_ref(y_l)]`.
 *
 * Computed as `(policyChosen − refChosen) − (policyRejected − refRejected)`, which keeps the differences of large
 * sums small before they are combined. Returns a new `[B]` tensor owned by the caller; inputs are not disposed.
 */
export function preferenceMargins(input: PairLogProbs): tf.Tensor1D {
  return tf.tidy(() => {
    const pc = toVector(input.policyChosen, 'policyChosen');
    const pr = toVector(input.policyRejected, 'policyRejected');
    const rc = toVector(input.refChosen, 'refChosen');
    const rr = toVector(input.refRejected, 'refRejected');
    const sizes = [pc.shape[0], pr.shape[0], rc.shape[0], rr.shape[0]];
    if (sizes.some((size) => size !== sizes[0])) {
      throw new InvalidArgumentError(`pair vectors must have one length, got ${sizes.join(', ')}`);
    }
    return tf.sub(tf.sub(pc, rc), tf.sub(pr, rr)) as tf.Tensor1D;
  });
}

/**
 * Per-pair DPO loss (Rafailov et al. 2023) with optional label smoothing (cDPO):
 * `−(1 − ε) log σ(β h) − ε log σ(−β h)`, evaluated stably as `(1 − ε) softplus(−β h) + ε softplus(β h)`.
 *
 * Differentiable with respect to the policy sums. Returns a new `[B]` tensor owned by the caller (average or weight
 * it yourself, e.g. with {@link weightedMean}).
 *
 * @example
 * ```ts
 * const loss = dpoLoss({ policyChosen, policyRejected, refChosen: [-3], refRejected: [-4], beta: 0.05 });
 * ```
 */
export function dpoLoss(options: DpoLossOptions): tf.Tensor1D {
  const beta = options.beta ?? 0.05;
  const epsilon = options.labelSmoothing ?? 0;
  checkBeta(beta);
  if (!(epsilon >= 0 && epsilon < 0.5)) {
    throw new InvalidArgumentError(`\`labelSmoothing\` must be in [0, 0.5), got ${epsilon}`);
  }
  return tf.tidy(() => {
    const logits = tf.mul(preferenceMargins(options), beta);
    const loss = tf.softplus(tf.neg(logits));
    if (epsilon === 0) return loss as tf.Tensor1D;
    return tf.add(tf.mul(loss, 1 - epsilon), tf.mul(tf.softplus(logits), epsilon)) as tf.Tensor1D;
  });
}

/**
 * Per-pair IPO loss (Azar et al. 2023): `(h − 1/(2β))²`, with `h` the unscaled margin of {@link preferenceMargins}.
 * Returns a new `[B]` tensor owned by the caller.
 */
export function ipoLoss(options: IpoLossOptions): tf.Tensor1D {
  const beta = options.beta ?? 0.05;
  checkBeta(beta);
  return tf.tidy(() => tf.square(tf.sub(preferenceMargins(options), 1 / (2 * beta))) as tf.Tensor1D);
}

/**
 * `Σ_i w_i ℓ_i / divisor`: per-pair losses weighted, then averaged (`divisor` defaults to B, so weights are NOT
 * renormalised to sum 1; pass the full batch size when `losses` is one micro-batch of a larger batch).
 * `weights` absent means 1 for every pair. Returns a new scalar tensor owned by the caller.
 */
export function weightedMean(losses: tf.Tensor1D, weights?: ArrayLike<number>, divisor?: number): tf.Scalar {
  return tf.tidy(() => {
    const count = divisor ?? losses.shape[0];
    if (!(count > 0)) throw new InvalidArgumentError(`divisor must be > 0, got ${count}`);
    if (weights === undefined) return tf.div(tf.sum(losses), count) as tf.Scalar;
    if (weights.length !== losses.shape[0]) {
      throw new InvalidArgumentError(`got ${weights.length} weights for ${losses.shape[0]} losses`);
    }
    const w = tf.tensor1d(Array.from(weights), 'float32');
    return tf.div(tf.sum(tf.mul(losses, w)), count) as tf.Scalar;
  });
}
