// @ts-check
/**
 * Replication on unseen seeds (issue 19 §5): the paired difference of two arms on an original seed set and on a new
 * one, and whether their sizes agree — the Welch 95 % interval of (new mean difference) − (original mean difference),
 * the seed sets being independent. Used by `--replicates <frontier.json>`.
 */
import { welchInterval } from '@ocrm/eval';
import { pairedDifferences } from './frontier-metrics.mjs';

/**
 * Per metric: the paired difference `a − b` on the original seeds and on the new ones (95 % intervals), and the
 * Welch interval of new − original over the per-seed differences; `consistent` when that interval includes 0.
 * @param {Record<string, Record<number, Record<string, number>>>} original `byArm` of the original frontier.json
 * @param {Record<string, Record<number, Record<string, number>>>} replication `byArm` of the new one
 * @param {string} a
 * @param {string} b
 */
export function replicationTable(original, replication, a, b) {
  const perSeed = (/** @type {typeof original} */ byArm, /** @type {string} */ key) =>
    Object.keys(byArm[a] ?? {})
      .map(Number)
      .filter((s) => byArm[b]?.[s] !== undefined)
      .map((s) => (byArm[a]?.[s]?.[key] ?? Number.NaN) - (byArm[b]?.[s]?.[key] ?? Number.NaN))
      .filter(Number.isFinite);
  const was = pairedDifferences(original, a, b);
  const now = pairedDifferences(replication, a, b);
  /** @type {Record<string, { original: any, replication: any, shift: import('@ocrm/eval').WelchInterval, consistent: boolean }>} */
  const rows = {};
  for (const key of Object.keys(was.differences)) {
    const before = perSeed(original, key);
    const after = perSeed(replication, key);
    if (before.length < 2 || after.length < 2) continue;
    const shift = welchInterval(after, before);
    rows[key] = {
      original: was.differences[key],
      replication: now.differences[key],
      shift,
      consistent: shift.low <= 0 && shift.high >= 0,
    };
  }
  return { originalSeeds: was.seeds, replicationSeeds: now.seeds, rows };
}
