// @ts-check
/**
 * Reads the finished jobs' run directories (summary.json, eval/results.json, the PPO curves, weight diagnostics) and
 * aggregates them per arm over seeds (mean and 95 % t-interval).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tInterval95 } from '@ocrm/eval';
import { summarizeRun } from '@ocrm/pipeline';

/**
 * @typedef {object} JobMetrics
 * @property {string} id
 * @property {string} arm
 * @property {string} label
 * @property {string} group
 * @property {number} seed
 * @property {boolean} ok
 * @property {number} seconds
 * @property {Record<string, number>} final     `gold`, `winRate`, `kl`, `proxy`, `peakGold`, `peakGoldKl`
 * @property {Record<string, number>} perRound  `rmAccOnPolicy/1`, `rmAccSft/2`, `rmAccStart/2`, `ess/2`, `gold/1`, …
 * @property {{ kl: number, gold: number, proxy: number, update: number, round: number }[]} curve
 * @property {{ round: number, gold: number, kl: number }[]} rounds
 * @property {number} sftGold
 */

/** @param {string} file */
const readJson = async (file) => JSON.parse(await readFile(file, 'utf8'));

/**
 * @param {import('./arms.mjs').Job} job
 * @param {import('./scheduler.mjs').JobResult} result
 * @returns {Promise<JobMetrics>}
 */
export async function collectJob(job, result) {
  /** @type {JobMetrics} */
  const m = {
    id: job.id,
    arm: job.arm.key,
    label: job.arm.label,
    group: job.arm.group,
    seed: job.seed,
    ok: false,
    seconds: result.seconds,
    final: {},
    perRound: {},
    curve: [],
    rounds: [],
    sftGold: Number.NaN,
  };
  const summaryFile = join(result.dir, 'summary.json');
  if (result.exitCode !== 0 || !existsSync(summaryFile)) return m;
  const summary = await readJson(summaryFile);
  const evaluated = existsSync(join(result.dir, 'eval', 'results.json'))
    ? await readJson(join(result.dir, 'eval', 'results.json'))
    : [];
  const { report } = await summarizeRun(result.dir);
  m.ok = true;
  m.sftGold = summary.sft?.gold ?? Number.NaN;
  const last = summary.rounds.at(-1) ?? {};
  m.final = { gold: last.gold, winRate: last.winRate, kl: last.klToSft, proxy: last.proxy ?? Number.NaN };
  for (const r of summary.rounds) {
    m.rounds.push({ round: r.round, gold: r.gold, kl: r.klToSft });
    if (r.rmAccuracyOnPolicy !== undefined) m.perRound[`rmAccOnPolicy/${r.round}`] = r.rmAccuracyOnPolicy;
    if (r.rmAccuracySft !== undefined) m.perRound[`rmAccSft/${r.round}`] = r.rmAccuracySft;
    if (r.essFraction !== undefined) m.perRound[`ess/${r.round}`] = r.essFraction;
  }
  for (const e of evaluated) {
    if (e.round > 0 && e.metrics['rm/accuracy_start'] !== undefined)
      m.perRound[`rmAccStart/${e.round}`] = e.metrics['rm/accuracy_start'];
  }
  m.curve = (report.curve ?? [])
    .filter((p) => Number.isFinite(p.metrics['eval/kl_sft']) && Number.isFinite(p.metrics['eval/gold']))
    .map((p) => ({
      kl: p.metrics['eval/kl_sft'],
      gold: p.metrics['eval/gold'],
      proxy: p.metrics['eval/proxy'] ?? Number.NaN,
      update: p.update,
      round: p.round,
    }));
  const peak = m.curve.reduce((best, p) => (p.gold > best.gold ? p : best), {
    gold: -Infinity,
    kl: Number.NaN,
  });
  m.final.peakGold = m.curve.length ? peak.gold : Number.NaN;
  m.final.peakGoldKl = m.curve.length ? peak.kl : Number.NaN;
  return m;
}

/**
 * Matched-KL comparison: per seed, K = the smallest of the PPO arms' largest KL to SFT along their curves (main
 * arms), and each arm's gold where its curve first reaches K (`final.goldAtMatchedKl`, `final.matchedKl`).
 * DPO/WPO (no curve) get their final gold when their final KL is within 10 % of K.
 * @param {JobMetrics[]} jobs
 */
export function addMatchedKl(jobs) {
  for (const seed of new Set(jobs.map((j) => j.seed))) {
    const mine = jobs.filter((j) => j.ok && j.seed === seed && j.group === 'main');
    const maxima = mine.filter((j) => j.curve.length).map((j) => Math.max(...j.curve.map((p) => p.kl)));
    if (!maxima.length) continue;
    const k = Math.min(...maxima);
    for (const j of jobs.filter((x) => x.ok && x.seed === seed)) {
      j.final.matchedKl = k;
      j.final.goldAtMatchedKl = j.curve.length
        ? goldAtKl(j.curve, k)
        : Math.abs(j.final.kl - k) <= 0.1 * k
          ? j.final.gold
          : Number.NaN;
    }
  }
}

/**
 * Gold where a curve first reaches KL `k` (linear interpolation between the two evaluations around it; the KL
 * estimates are noisy, so the first crossing is used); NaN when the curve never reaches it.
 * @param {readonly { kl: number, gold: number }[]} curve in update order
 * @param {number} k
 */
export function goldAtKl(curve, k) {
  for (let i = 1; i < curve.length; i++) {
    const a = /** @type {{ kl: number, gold: number }} */ (curve[i - 1]);
    const b = /** @type {{ kl: number, gold: number }} */ (curve[i]);
    if (a.kl <= k && b.kl >= k)
      return b.kl === a.kl ? b.gold : a.gold + ((k - a.kl) / (b.kl - a.kl)) * (b.gold - a.gold);
  }
  return Number.NaN;
}

/**
 * Per arm: every numeric field's mean and 95 % interval over the arm's successful seeds.
 * @param {readonly JobMetrics[]} jobs
 * @returns {{ arm: string, label: string, group: string, n: number, seeds: number[],
 *   stats: Record<string, import('@ocrm/eval').MeanInterval> }[]}
 */
export function aggregate(jobs) {
  /** @type {Map<string, JobMetrics[]>} */
  const byArm = new Map();
  for (const j of jobs) {
    if (!j.ok) continue;
    const key = `${j.group}|${j.arm}`;
    byArm.set(key, [...(byArm.get(key) ?? []), j]);
  }
  return [...byArm.values()].map((list) => {
    const first = /** @type {JobMetrics} */ (list[0]);
    const keys = new Set(list.flatMap((j) => [...Object.keys(j.final), ...Object.keys(j.perRound)]));
    /** @type {Record<string, import('@ocrm/eval').MeanInterval>} */
    const stats = {};
    for (const key of keys) {
      const values = list
        .map((j) => j.final[key] ?? j.perRound[key])
        .filter((v) => typeof v === 'number' && Number.isFinite(v));
      if (values.length) stats[key] = tInterval95(values);
    }
    stats.sftGold = tInterval95(list.map((j) => j.sftGold));
    return {
      arm: first.arm,
      label: first.label,
      group: first.group,
      n: list.length,
      seeds: list.map((j) => j.seed),
      stats,
    };
  });
}
