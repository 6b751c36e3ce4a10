// @ts-check
/**
 * The `rm-shift` study's statistics: per variant, every arm's held-out π_1 accuracy over seeds, its paired difference
 * from λ = 0 (RM-1) with a 95 % t-interval, the headroom (oracle − λ 0), the IW gain of the weighted arm chosen on the
 * validation set (selection and report on disjoint pairs), and the smallest paired effect the design detects with 80 %
 * power (two-sided 5 %).
 */
import { mean, sampleStd, tInterval95, tQuantile975, tQuantileFromNormal } from '@ocrm/eval';

/**
 * One seed's results: arm key → the arm file written by the worker.
 * @typedef {Record<string, { arm: import('./design.mjs').RmArm, essFraction?: number, lambda?: number,
 *   validation: import('./score-arm.mjs').SetScores, test: import('./score-arm.mjs').SetScores }>} SeedResults
 */

/**
 * One-sided 80 % Student-t quantile: the Cornish-Fisher expansion around z = 0.8416 (exact to ~1e-3 for df ≥ 3).
 * @param {number} df
 */
export function tQuantile80(df) {
  return tQuantileFromNormal(0.8416212335729143, df);
}

/**
 * A paired difference over seeds with its 95 % interval, the minimum detectable effect at 80 % power, and the
 * per-seed differences themselves (`values`, in seed order: what a replication on other seeds compares with).
 * @param {number[]} diffs one difference per seed
 */
export function pairedSummary(diffs) {
  const ci = tInterval95(diffs);
  const n = diffs.length;
  const mde =
    n < 2 ? Number.NaN : ((tQuantile975(n - 1) + tQuantile80(n - 1)) * sampleStd(diffs)) / Math.sqrt(n);
  return { ...ci, mde, values: diffs };
}

/**
 * @param {Record<number, SeedResults>} bySeed seed → results (only seeds with every arm are used)
 * @param {string} [metric] a key of SetScores (default `accuracy`)
 */
export function analyzeVariant(bySeed, metric = 'accuracy') {
  const seeds = Object.keys(bySeed)
    .map(Number)
    .sort((a, b) => a - b);
  const armKeys = seeds.length > 0 ? Object.keys(bySeed[seeds[0] ?? 0] ?? {}) : [];
  const complete = seeds.filter((s) => armKeys.every((k) => bySeed[s]?.[k]));
  const value = (/** @type {number} */ s, /** @type {string} */ k, set = 'test') =>
    /** @type {any} */ (bySeed[s]?.[k])?.[set]?.[metric] ?? Number.NaN;
  const arms = armKeys.map((key) => {
    const first = /** @type {any} */ (bySeed[complete[0] ?? 0]?.[key]);
    const values = complete.map((s) => value(s, key));
    return {
      key,
      label: first?.arm?.label ?? key,
      kind: first?.arm?.kind ?? '?',
      test: tInterval95(values),
      vsLambda0: pairedSummary(complete.map((s) => value(s, key) - value(s, 'lambda0'))),
      vsRedraw: armKeys.includes('redraw')
        ? pairedSummary(complete.map((s) => value(s, key) - value(s, 'redraw')))
        : undefined,
      vsPlacebo: armKeys.includes('placebo-ess0.3')
        ? pairedSummary(complete.map((s) => value(s, key) - value(s, 'placebo-ess0.3')))
        : undefined,
      essFraction: mean(
        complete.map((s) => /** @type {any} */ (bySeed[s]?.[key])?.essFraction ?? Number.NaN),
      ),
      lambda: mean(complete.map((s) => /** @type {any} */ (bySeed[s]?.[key])?.lambda ?? Number.NaN)),
    };
  });
  const weighted = armKeys.filter(
    (k) => /** @type {any} */ (bySeed[complete[0] ?? 0]?.[k])?.arm?.kind === 'weighted',
  );
  /** The weighted arm with the best validation value, per seed. */
  const selected = complete.map((s) =>
    weighted.reduce(
      (best, k) => (value(s, k, 'validation') > value(s, best, 'validation') ? k : best),
      weighted[0] ?? '',
    ),
  );
  const oracle = armKeys.includes('oracle-all') ? 'oracle-all' : undefined;
  return {
    seeds: complete,
    arms,
    headroom: oracle ? pairedSummary(complete.map((s) => value(s, oracle) - value(s, 'lambda0'))) : undefined,
    iwGain:
      weighted.length > 0
        ? pairedSummary(complete.map((s, i) => value(s, selected[i] ?? '') - value(s, 'lambda0')))
        : undefined,
    /** The selected weighted arm against the controls for the selection effect. */
    iwGainVsRedraw:
      weighted.length > 0 && armKeys.includes('redraw')
        ? pairedSummary(complete.map((s, i) => value(s, selected[i] ?? '') - value(s, 'redraw')))
        : undefined,
    iwGainVsPlacebo:
      weighted.length > 0 && armKeys.includes('placebo-ess0.3')
        ? pairedSummary(complete.map((s, i) => value(s, selected[i] ?? '') - value(s, 'placebo-ess0.3')))
        : undefined,
    selected,
  };
}
