import type { AdvantageEstimator } from '../config';

/** Inputs of {@link sequenceRewards}; every per-token array is `[B, T_resp]` row-major. */
export interface SequenceRewardInputs {
  /** `[B]` reward-model scores. */
  scores: ArrayLike<number>;
  /** `[B]` 1 when the response produced an EOS. */
  hasEos: ArrayLike<number>;
  /** Per-token log-probs of the sampling policy at the rollout temperature. */
  logpPolicy: ArrayLike<number>;
  /** Per-token log-probs of the KL reference at the same temperature. */
  logpRef: ArrayLike<number>;
  /** Per-token 0/1 response mask (through the first EOS). */
  mask: ArrayLike<number>;
  estimator: AdvantageEstimator;
  klCoef: number;
  missingEosPenalty: number | null;
}

/** What {@link sequenceRewards} returns, each `[B]`. */
export interface SequenceRewards {
  /** Scores after the missing-EOS penalty. */
  scores: Float64Array;
  /** `Σ_t (logp_t − ref_t)` over the response (the k1 estimate of the sequence KL). */
  kl: Float64Array;
  /** What the advantages are computed from: `score − β·KL` for `rloo`, the score for `grpo` (its KL is in the loss). */
  rewards: Float64Array;
}

/**
 * Sequence-level rewards of a rollout: the score (the missing-EOS penalty replaces it when a response has no EOS and
 * the penalty is set), the sampled sequence KL to the reference, and the reward the estimator's advantages use.
 * @example sequenceRewards({ scores: [2], hasEos: [1], logpPolicy: [-1, -2], logpRef: [-1.5, -2], mask: [1, 1],
 *   estimator: 'rloo', klCoef: 0.1, missingEosPenalty: -1 }).rewards // [2 − 0.1·0.5] = [1.95]
 */
export function sequenceRewards(inputs: SequenceRewardInputs): SequenceRewards {
  const B = inputs.scores.length;
  const R = B === 0 ? 0 : inputs.mask.length / B;
  const scores = new Float64Array(B);
  const kl = new Float64Array(B);
  const rewards = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const penalised = !inputs.hasEos[b] && inputs.missingEosPenalty !== null;
    scores[b] = penalised ? (inputs.missingEosPenalty as number) : (inputs.scores[b] as number);
    let sum = 0;
    for (let t = 0; t < R; t++) {
      const i = b * R + t;
      if (inputs.mask[i]) sum += (inputs.logpPolicy[i] as number) - (inputs.logpRef[i] as number);
    }
    kl[b] = sum;
    rewards[b] = inputs.estimator === 'rloo' ? scores[b]! - inputs.klCoef * sum : scores[b]!;
  }
  return { scores, kl, rewards };
}
