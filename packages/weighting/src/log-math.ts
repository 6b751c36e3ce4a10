/**
 * Float64 log-space helpers on host numbers (no tensors). Every ratio in this package is computed with them; a sequence
 * log-prob sum is never exponentiated.
 */

/** `log(exp(a) + exp(b))` without overflow or underflow; `logAddExp(-Infinity, x) === x`. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const max = Math.max(a, b);
  const min = Math.min(a, b);
  return max + Math.log1p(Math.exp(min - max));
}

/** `log Σ_i exp(values[i])`, stable; `-Infinity` for an empty array. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === Number.NEGATIVE_INFINITY || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/** Turns `-0` into `+0` (so "exactly 0" holds under `Object.is`). */
export function positiveZero(x: number): number {
  return x === 0 ? 0 : x;
}
