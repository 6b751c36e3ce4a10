// @ts-check
/**
 * The `rm-shift` study on unseen seeds (issue 19 §5, `--replicates <an earlier rm-shift.json>`): per variant, the
 * study's four decision quantities on the earlier seeds and on these, and the Welch 95 % interval of the change in
 * size (these − earlier; the seed sets are independent): the sizes agree when it includes 0.
 */
import { welchInterval } from '@ocrm/eval';

/** The decision quantities of `analyze.mjs` a replication compares, with their labels. */
export const REPLICATED = /** @type {const} */ ([
  ['headroom', 'headroom (oracle − λ 0)'],
  ['iwGain', 'IW gain (selected weighted − λ 0)'],
  ['iwGainVsRedraw', 'selected weighted − re-draw'],
  ['iwGainVsPlacebo', 'selected weighted − placebo'],
]);

/**
 * @typedef {{ mean: number, low: number, high: number, values?: number[] }} Summary a `pairedSummary` of analyze.mjs
 * @typedef {{ seeds: number[], headroom?: Summary, iwGain?: Summary, iwGainVsRedraw?: Summary,
 *   iwGainVsPlacebo?: Summary }} VariantAnalysis
 */

/**
 * Per variant both studies have, per decision quantity both have: earlier, these, the Welch shift and whether the
 * sizes agree.
 * @param {{ seeds: number[], analysis: Record<string, VariantAnalysis> }} earlier an earlier `rm-shift.json`
 * @param {Record<string, VariantAnalysis>} analysis this study's
 * @param {string} [file] the earlier file's name, for the error
 */
export function rmShiftReplication(earlier, analysis, file = 'the earlier rm-shift.json') {
  /** @type {Record<string, { originalSeeds: number[], replicationSeeds: number[], rows: Array<{ key: string, label: string,
   *   original: Summary, replication: Summary, shift: import('@ocrm/eval').WelchInterval, consistent: boolean }> }>} */
  const variants = {};
  for (const [variant, now] of Object.entries(analysis)) {
    const was = earlier.analysis?.[variant];
    if (!was) continue;
    const rows = [];
    for (const [key, label] of REPLICATED) {
      const before = was[key];
      const after = now[key];
      if (!before || !after) continue;
      if (!Array.isArray(before.values))
        throw new Error(
          `${file}: ${variant}.${key} has no per-seed values (written before they were kept): rerun that study with ` +
            '--report-only on its --out folder to rewrite it',
        );
      if (!Array.isArray(after.values) || before.values.length < 2 || after.values.length < 2) continue;
      const shift = welchInterval(after.values, before.values);
      rows.push({
        key,
        label,
        original: before,
        replication: after,
        shift,
        consistent: shift.low <= 0 && shift.high >= 0,
      });
    }
    variants[variant] = { originalSeeds: was.seeds, replicationSeeds: now.seeds, rows };
  }
  return variants;
}
