import { InvalidArgumentError } from '@ocrm/core';
import type { AdvantageEstimator } from '../config';

/** Added to a group's reward standard deviation in GRPO's advantages (TRL's `1e-4`). */
export const GRPO_STD_EPSILON = 1e-4;

/**
 * Per-response advantages from per-response rewards, `[B]` → `[B]`, where rows `g·k … g·k + k − 1` are the k
 * responses to prompt g (B a multiple of k ≥ 2).
 * - `rloo`: `A_i = r_i − (Σ_{j∈g} r_j − r_i) / (k − 1)`, the reward minus the mean of the group's other rewards
 *   (an unbiased baseline: it does not depend on response i).
 * - `grpo`: `A_i = (r_i − mean_g r) / (std_g r + 1e-4)`, std with Bessel's correction (`torch.std`, as TRL).
 * @example groupAdvantages([1, 0, 0, 0], 4, 'rloo') // [1, -1/3, -1/3, -1/3]
 */
export function groupAdvantages(
  rewards: ArrayLike<number>,
  groupSize: number,
  estimator: AdvantageEstimator,
): Float64Array {
  const B = rewards.length;
  const k = groupSize;
  if (!Number.isSafeInteger(k) || k < 2 || B % k !== 0) {
    throw new InvalidArgumentError(
      `groupAdvantages: groupSize must be an integer ≥ 2 dividing the ${B} rewards, got ${k}.`,
    );
  }
  const out = new Float64Array(B);
  for (let g = 0; g < B; g += k) {
    let sum = 0;
    for (let i = g; i < g + k; i++) sum += rewards[i] as number;
    const mean = sum / k;
    if (estimator === 'rloo') {
      for (let i = g; i < g + k; i++) {
        const r = rewards[i] as number;
        out[i] = r - (sum - r) / (k - 1);
      }
    } else {
      let sq = 0;
      for (let i = g; i < g + k; i++) sq += ((rewards[i] as number) - mean) ** 2;
      const std = Math.sqrt(sq / (k - 1));
      for (let i = g; i < g + k; i++) out[i] = ((rewards[i] as number) - mean) / (std + GRPO_STD_EPSILON);
    }
  }
  return out;
}

/**
 * Whitens advantages over the batch: `(A − mean) / (std + 1e-8)` (population std), RLOO's `normalize_advantage`.
 */
export function whitenAdvantages(advantages: ArrayLike<number>): Float64Array {
  const n = advantages.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += advantages[i] as number;
  const mean = sum / Math.max(1, n);
  let sq = 0;
  for (let i = 0; i < n; i++) sq += ((advantages[i] as number) - mean) ** 2;
  const std = Math.sqrt(sq / Math.max(1, n));
  return Float64Array.from(advantages, (a) => (a - mean) / (std + 1e-8));
}
