import { InvalidArgumentError } from '@ocrm/core';

/** Small statistics on host numbers: means, t-intervals, ranks, Spearman correlation, win rates. */

/** Arithmetic mean (NaN for an empty array). */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Sample standard deviation (n - 1 in the denominator; NaN for fewer than 2 values). */
export function sampleStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) s += (values[i]! - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

// Two-sided 95 % quantiles t_{0.975, df} of Student's t for df = 1..30.
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614,
  2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/**
 * Student's t quantile with `df` degrees of freedom at the level whose standard-normal quantile is `z`, by the
 * Cornish-Fisher expansion (e.g. z = 0.8416 for the one-sided 80 % of a power calculation; error ~1e-3 at df 3,
 * < 2e-5 at df 31 for z = 1.96).
 */
export function tQuantileFromNormal(z: number, df: number): number {
  if (!(df >= 1)) return Number.NaN;
  return (
    z +
    (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3)
  );
}

/**
 * `t_{0.975, df}`: the exact table at whole df to 30; between two whole df below 30 (Welch's degrees of freedom),
 * log t interpolated linearly in 1/df (error < 1e-3 relative: 3.2213 for scipy's 3.2187 at df 2.94); above 30
 * {@link tQuantileFromNormal} (error < 2e-5 at df 31).
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  if (df < 30) {
    const lo = Math.floor(df);
    const hi = Math.ceil(df);
    const tLo = T975[lo - 1]!;
    if (lo === hi) return tLo;
    const tHi = T975[hi - 1]!;
    const f = (1 / df - 1 / lo) / (1 / hi - 1 / lo);
    return Math.exp(Math.log(tLo) + f * (Math.log(tHi) - Math.log(tLo)));
  }
  if (df === 30) return T975[29]!;
  return tQuantileFromNormal(1.959963985, df);
}

/** A mean with its two-sided 95 % Student-t interval. `halfWidth` is NaN when n < 2. */
export interface MeanInterval {
  n: number;
  mean: number;
  halfWidth: number;
  low: number;
  high: number;
}

/** Mean and 95 % t-interval `mean ± t_{0.975, n-1} s / √n` of independent values (e.g. one per seed). */
export function tInterval95(values: ArrayLike<number>): MeanInterval {
  const n = values.length;
  const m = mean(values);
  const halfWidth = n < 2 ? Number.NaN : (tQuantile975(n - 1) * sampleStd(values)) / Math.sqrt(n);
  return { n, mean: m, halfWidth, low: m - halfWidth, high: m + halfWidth };
}

/** The difference of two independent means with Welch's 95 % interval and its Welch–Satterthwaite df. */
export interface WelchInterval {
  mean: number;
  low: number;
  high: number;
  df: number;
}

/**
 * Welch's 95 % interval of `mean(a) − mean(b)` for independent samples of unequal variance (e.g. one paired difference
 * per seed on two disjoint seed sets): `d ± t_{0.975, ν} √(s_a²/n_a + s_b²/n_b)`, ν by Welch–Satterthwaite. Two
 * constant samples give the difference itself (`df` ∞); fewer than 2 values in either, a NaN interval.
 */
export function welchInterval(a: ArrayLike<number>, b: ArrayLike<number>): WelchInterval {
  const va = sampleStd(a) ** 2 / a.length;
  const vb = sampleStd(b) ** 2 / b.length;
  const d = mean(a) - mean(b);
  const se = Math.sqrt(va + vb);
  if (se === 0) return { mean: d, low: d, high: d, df: Number.POSITIVE_INFINITY };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile975(df) * se;
  return { mean: d, low: d - half, high: d + half, df };
}

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; NaN when fewer than 2 values or either side is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2 || y.length !== n) return Number.NaN;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman rank correlation (Pearson on average ranks); NaN when undefined. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Win / tie / loss rates of paired scores. */
export interface WinRate {
  n: number;
  /** Fraction with `score > reference` (strict). */
  winRate: number;
  /** Fraction with `score === reference`. */
  tieRate: number;
  lossRate: number;
}

/** Win rate of `scores` against `referenceScores` (strict >); ties are counted separately, never as half wins. */
export function winRate(scores: ArrayLike<number>, referenceScores: ArrayLike<number>): WinRate {
  const n = scores.length;
  if (referenceScores.length !== n)
    throw new InvalidArgumentError(`winRate: ${n} scores but ${referenceScores.length} references`);
  let wins = 0;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    if (scores[i]! > referenceScores[i]!) wins++;
    else if (scores[i] === referenceScores[i]) ties++;
  }
  return n === 0
    ? { n, winRate: Number.NaN, tieRate: Number.NaN, lossRate: Number.NaN }
    : { n, winRate: wins / n, tieRate: ties / n, lossRate: (n - wins - ties) / n };
}
