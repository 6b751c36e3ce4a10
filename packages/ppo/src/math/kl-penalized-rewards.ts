import { InvalidArgumentError, ShapeError } from '@ocrm/core';
import type { ScorePosition } from '../config';
import { rowLength } from './shape';

/** Input of {@link klPenalizedRewards}. Host arrays, row-major; not modified. */
export interface KlPenalizedRewardsInput {
  /** `[B, T_resp]` log-probs of the sampled tokens under the rollout policy (at the rollout temperature). */
  logpPolicy: ArrayLike<number>;
  /** `[B, T_resp]` log-probs under the frozen KL reference (same temperature). */
  logpRef: ArrayLike<number>;
  /** `[B, T_resp]` response mask: 1 through the first EOS (inclusive), 0 after. */
  mask: ArrayLike<number>;
  /** `[B]` reward-model scores (read at the EOS, or at the last token when a row has none). */
  scores: ArrayLike<number>;
  /** `[B]` 1 when the row produced an EOS. */
  hasEos: ArrayLike<number>;
  /** KL coefficient β. */
  klCoef: number;
  /** Where the score is added (default `'eos'`). */
  scorePosition?: ScorePosition;
  /** Score that replaces the reward model's for rows without EOS; `null`/omitted keeps the model's score. */
  missingEosPenalty?: number | null;
}

/** Output of {@link klPenalizedRewards}: new host arrays owned by the caller. */
export interface KlPenalizedRewards {
  /** `[B, T_resp]` per-token reward: `-klCoef * kl` on valid tokens plus the score at `scoreIndex`; 0 elsewhere. */
  rewards: Float32Array;
  /** `[B, T_resp]` per-token `logpPolicy - logpRef` on valid tokens, 0 elsewhere. */
  kl: Float32Array;
  /** `[B, T_resp]` `-klCoef * kl` (the non-score part of the reward). */
  nonScoreRewards: Float32Array;
  /** `[B]` scores after the missing-EOS penalty. */
  scores: Float32Array;
  /** `[B]` response position where the score was added. */
  scoreIndex: Int32Array;
  /** `[B, T_resp]` positions whose values and returns count: `mask`, plus the score slot for `'eosPlus1'`. */
  valueMask: Uint8Array;
}

/**
 * Per-token KL-penalised rewards of PPO for language models (Huang et al. 2024, details 8-10):
 * `r_t = -klCoef * (logp_policy_t - logp_ref_t)` on valid tokens, plus the sequence score at the EOS
 * (`scorePosition: 'eos'`) or one slot later (`'eosPlus1'`, the reference code; the slot then counts as valid for
 * the critic; a row whose EOS is the last position keeps the score at the EOS). A row without EOS gets
 * `missingEosPenalty` instead of its score when that is a number, added at its last position.
 *
 * @example
 * // one row, T=3, EOS at t=1, klCoef 0.5, kl = [0.2, -0.4]:
 * // rewards = [-0.1, 0.2 + score, 0]
 */
export function klPenalizedRewards(input: KlPenalizedRewardsInput): KlPenalizedRewards {
  const { logpPolicy, logpRef, mask, scores: rawScores, hasEos, klCoef } = input;
  const scorePosition = input.scorePosition ?? 'eos';
  const penalty = input.missingEosPenalty ?? null;
  if (!Number.isFinite(klCoef)) throw new InvalidArgumentError(`klPenalizedRewards: klCoef must be finite.`);
  const B = rawScores.length;
  if (hasEos.length !== B) {
    throw new ShapeError(`klPenalizedRewards: hasEos has ${hasEos.length} rows, scores has ${B}.`);
  }
  const T = rowLength('klPenalizedRewards', B, { logpPolicy, logpRef, mask });
  const rewards = new Float32Array(B * T);
  const kl = new Float32Array(B * T);
  const nonScoreRewards = new Float32Array(B * T);
  const scores = new Float32Array(B);
  const scoreIndex = new Int32Array(B);
  const valueMask = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) {
    const row = b * T;
    let last = -1;
    for (let t = 0; t < T; t++) {
      if (!mask[row + t]) continue;
      last = t;
      const k = (logpPolicy[row + t] as number) - (logpRef[row + t] as number);
      kl[row + t] = k;
      nonScoreRewards[row + t] = -klCoef * k;
      rewards[row + t] = -klCoef * k;
      valueMask[row + t] = 1;
    }
    if (last < 0) throw new InvalidArgumentError(`klPenalizedRewards: row ${b} has no valid response token.`);
    const score = !hasEos[b] && penalty !== null ? penalty : (rawScores[b] as number);
    const index = scorePositionIndex(last, T, scorePosition);
    scores[b] = score;
    scoreIndex[b] = index;
    rewards[row + index] = (rewards[row + index] as number) + score;
    valueMask[row + index] = 1;
  }
  return { rewards, kl, nonScoreRewards, scores, scoreIndex, valueMask };
}

/**
 * Response position of the score for a row whose last valid token is `last` (of `T`): `last` for `'eos'`,
 * `last + 1` for `'eosPlus1'` unless that is past the end.
 */
export function scorePositionIndex(last: number, T: number, scorePosition: ScorePosition): number {
  return scorePosition === 'eosPlus1' && last + 1 < T ? last + 1 : last;
}

/**
 * The value mask of a response mask `[B, T]`: the mask plus each row's score slot ({@link scorePositionIndex}).
 * @returns a new Uint8Array `[B, T]`.
 */
export function valueMaskOf(
  mask: ArrayLike<number>,
  batchSize: number,
  scorePosition: ScorePosition,
): Uint8Array {
  const T = rowLength('valueMaskOf', batchSize, { mask });
  const out = new Uint8Array(batchSize * T);
  for (let b = 0; b < batchSize; b++) {
    let last = -1;
    for (let t = 0; t < T; t++) {
      if (!mask[b * T + t]) continue;
      out[b * T + t] = 1;
      last = t;
    }
    if (last >= 0) out[b * T + scorePositionIndex(last, T, scorePosition)] = 1;
  }
  return out;
}
