import { rowLength } from './shape';

/** Input of {@link computeGae}. Host arrays `[B, T_resp]`, row-major; not modified. */
export interface GaeInput {
  /** Per-token rewards (0 where masked). */
  rewards: ArrayLike<number>;
  /** Critic values of the rollout (old values). Masked positions are ignored (treated as 0). */
  values: ArrayLike<number>;
  /** 1 where a position takes part (the value mask: valid response tokens, plus the score slot for `'eosPlus1'`). */
  mask: ArrayLike<number>;
  /** B (rows); T_resp = `rewards.length / batchSize`. */
  batchSize: number;
  /** Discount γ. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
}

/** Output of {@link computeGae}: new host arrays `[B, T_resp]`, 0 at masked positions. */
export interface GaeResult {
  /** Generalised advantage estimates (not whitened). */
  advantages: Float32Array;
  /** `advantages + values`: the critic's regression targets. */
  returns: Float32Array;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016) over fixed-length responses with padding:
 * `δ_t = r_t + γ V_{t+1} m_{t+1} - V_t`, `A_t = δ_t + γ λ m_{t+1} A_{t+1}` on masked-in positions. Nothing
 * bootstraps through a padded position: the value after the last valid position counts as 0.
 * Computed in float64, stored as float32.
 *
 * @example
 * // batchSize 1, rewards [0, 1], values [0.5, 0.25], mask [1, 1], γ = 1, λ = 0.5:
 * // δ = [0 + 0.25 - 0.5, 1 - 0.25] = [-0.25, 0.75]; A = [-0.25 + 0.5 * 0.75, 0.75] = [0.125, 0.75]
 */
export function computeGae(input: GaeInput): GaeResult {
  const { rewards, values, mask, batchSize: B, gamma, gaeLambda } = input;
  const size = rewards.length;
  const T = rowLength('computeGae', B, { rewards, values, mask });
  const advantages = new Float32Array(size);
  const returns = new Float32Array(size);
  for (let b = 0; b < B; b++) {
    const row = b * T;
    let nextValue = 0;
    let nextAdvantage = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = row + t;
      if (!mask[i]) {
        nextValue = 0;
        nextAdvantage = 0;
        continue;
      }
      const value = values[i] as number;
      const delta = (rewards[i] as number) + gamma * nextValue - value;
      const advantage = delta + gamma * gaeLambda * nextAdvantage;
      advantages[i] = advantage;
      returns[i] = advantage + value;
      nextValue = value;
      nextAdvantage = advantage;
    }
  }
  return { advantages, returns };
}
