// @ts-check
/**
 * Replication on unseen seeds (issue 19 §5): the paired difference of two arms on an original seed set and on a new
 * one, and whether their sizes agree — the Welch 95 % interval of (new mean difference) − (original mean difference),
 * the seed sets being independent. Used by `--replicates <frontier.json>`.
 */
import { mean, sampleStd, tQuantile975 } from '@ocrm/eval';
import { pairedDifferences } from './frontier-metrics.mjs';

/**
 * Welch's 95 % interval of mean(a) − mean(b) for independent samples (Welch–Satterthwaite degrees of freedom); the
 * point itself when both samples are constant.
 * @param {readonly number[]} a
 * @param {readonly number[]} b
 * @returns {{ mean: number, low: number, high: number, df: number }}
 */
export function welchInterval(a, b) {
  const va = sampleStd(a) ** 2 / a.length;
  const vb = sampleStd(b) ** 2 / b.length;
  const d = mean(a) - mean(b);
  const se = Math.sqrt(va + vb);
  // Two constant samples (e.g. a stage both arms share): the difference is known exactly.
  if (se === 0) return { mean: d, low: d, high: d, df: Number.POSITIVE_INFINITY };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile975(df) * se;
  return { mean: d, low: d - half, high: d + half, df };
}

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
  /** @type {Record<string, { original: any, replication: any, shift: ReturnType<typeof welchInterval>, consistent: boolean }>} */
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
