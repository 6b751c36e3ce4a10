/**
 * Host-side token choice for one row of next-token log-probs: argmax, pure sampling, top-k and top-p (nucleus).
 * Pure functions of (log-probs, uniform draw), so sampling is reproducible given the core RNG's numbers.
 */

/** Filters of {@link chooseToken}. Both are off by default; never used for pair sampling or PPO rollouts. */
export interface TokenFilter {
  /** Keep only the k most likely tokens (k ≥ 1). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose mass reaches `topP` (0 < p ≤ 1); the top token always stays. */
  topP?: number;
}

/** Index of the largest value; ties go to the lowest index (as `tf.argMax`). NaN is never chosen over a number. */
export function argmax(row: ArrayLike<number>, offset = 0, length = row.length - offset): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < length; i++) {
    const v = row[offset + i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * Draws a token from a row of log-probs by inverting the cumulative distribution at `u`.
 *
 * @param logProbs Row of (tempered) log-probs over the vocabulary, `[V]` at `offset`.
 * @param u A uniform number in [0, 1).
 * @param filter Optional top-k / top-p filters; the kept mass is renormalised.
 * @returns The token id in `[0, V)` and `logKeptMass`, the log of the probability mass the filters kept (0 without
 *   filters), so the token's log-prob under the distribution it was drawn from is `logProbs[token] - logKeptMass`.
 */
export function chooseToken(
  logProbs: ArrayLike<number>,
  u: number,
  filter: TokenFilter = {},
  offset = 0,
  length = logProbs.length - offset,
): { token: number; logKeptMass: number } {
  const probs = new Float64Array(length);
  for (let i = 0; i < length; i++) probs[i] = Math.exp(logProbs[offset + i]!);
  const filtered = filter.topK !== undefined || (filter.topP !== undefined && filter.topP < 1);
  const order = filtered ? keptTokens(probs, filter) : undefined;
  const count = order ? order.length : length;
  let total = 0;
  for (let j = 0; j < count; j++) total += probs[order ? order[j]! : j]!;
  const logKeptMass = filtered ? Math.log(total) : 0;
  const target = u * total;
  let cumulative = 0;
  let last = order ? order[0]! : argmax(probs);
  for (let j = 0; j < count; j++) {
    const id = order ? order[j]! : j;
    const p = probs[id]!;
    if (p <= 0) continue;
    cumulative += p;
    last = id;
    if (target < cumulative) return { token: id, logKeptMass };
  }
  return { token: last, logKeptMass }; // rounding: u * total reached the end of the mass
}

/** Token ids kept by the filters, most likely first. */
function keptTokens(probs: Float64Array, filter: TokenFilter): number[] {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  let kept = order;
  if (filter.topK !== undefined) kept = kept.slice(0, Math.max(1, Math.floor(filter.topK)));
  if (filter.topP !== undefined && filter.topP < 1) {
    let mass = 0;
    for (const id of kept) mass += probs[id]!;
    const limit = filter.topP * mass;
    let cumulative = 0;
    let n = 0;
    while (n < kept.length) {
      cumulative += probs[kept[n]!]!;
      n++;
      if (cumulative >= limit) break;
    }
    kept = kept.slice(0, n);
  }
  return kept;
}
