// @ts-check
/**
 * Per run: the gold-vs-KL frontier (best gold along the curve; gold at fixed KL by interpolation), the final gold
 * sampled (K per prompt) and greedy, and each round's RM accuracy on fresh π_{k−1} and π_k pairs. Per seed: paired
 * differences between arms, with 95 % intervals over seeds.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { goldAtKl } from '../collect.mjs';
import { pairedSummary } from '../rm-shift/analyze.mjs';

/** KL values (nats) at which the frontier is read. */
export const FRONTIER_KLS = [0.25, 0.5, 1];

/**
 * Frontier metrics of one collected job.
 * @param {import('../collect.mjs').JobMetrics} job
 * @param {string} dir its run directory
 * @returns {Promise<Record<string, number>>}
 */
export async function frontierMetrics(job, dir) {
  /** @type {Record<string, number>} */
  const m = {};
  if (!job.ok) return m;
  m.bestGold = job.curve.length ? Math.max(...job.curve.map((p) => p.gold)) : (job.final.gold ?? Number.NaN);
  for (const k of FRONTIER_KLS) m[`goldAtKl${k}`] = job.curve.length ? goldAtKl(job.curve, k) : Number.NaN;
  m.finalGold = job.final.gold ?? Number.NaN;
  m.finalKl = job.final.kl ?? Number.NaN;
  const file = join(dir, 'eval', 'results.json');
  if (existsSync(file)) {
    const results = JSON.parse(await readFile(file, 'utf8'));
    const last = results.at(-1)?.metrics ?? {};
    m.finalGreedyGold = last['eval/greedy/gold'] ?? Number.NaN;
    for (const r of results) {
      if (r.round < 1) continue;
      if (r.metrics['rm/accuracy_start'] !== undefined)
        m[`rmAccStart/${r.round}`] = r.metrics['rm/accuracy_start'];
      if (r.metrics['rm/accuracy'] !== undefined) m[`rmAccEnd/${r.round}`] = r.metrics['rm/accuracy'];
    }
  }
  return m;
}

/**
 * Paired differences `a − b` over the seeds both arms finished, for every metric both have.
 * @param {Record<string, Record<number, Record<string, number>>>} byArm arm → seed → metrics
 * @param {string} a @param {string} b
 */
export function pairedDifferences(byArm, a, b) {
  const seeds = Object.keys(byArm[a] ?? {})
    .map(Number)
    .filter((s) => byArm[b]?.[s] !== undefined);
  const keys = new Set(seeds.flatMap((s) => Object.keys(byArm[a]?.[s] ?? {})));
  /** @type {Record<string, ReturnType<typeof pairedSummary>>} */
  const out = {};
  for (const key of keys) {
    const diffs = seeds
      .map((s) => (byArm[a]?.[s]?.[key] ?? Number.NaN) - (byArm[b]?.[s]?.[key] ?? Number.NaN))
      .filter(Number.isFinite);
    if (diffs.length > 0) out[key] = pairedSummary(diffs);
  }
  return { seeds, differences: out };
}
