// @ts-check
/**
 * `npm run experiment -- --study rm-shift [--quick | --smoke] [--seeds 0,1,2,3,4] [--variants digest,digest-head]
 * (the quick form: digest-head, seeds 0 and 1)
 *   [--out DIR] [--docs DIR] [--jobs 2] [--report-only] [--executor local | slurm [--wait] [--slurm-* …]]
 *   [--replicates <an earlier study's rm-shift.json>]`
 *
 * The RM-level test of OCRM's mechanism (no PPO after round 1): for every variant and seed, a base run (one OCRM
 * round of the `quick` preset: SFT, pairs, labels, RM-1, PPO-1) through the `ocrm` CLI, SFT shared between variants
 * of a seed; then one worker per (variant, seed) trains the reward-model arms and scores them on fresh π_1 pairs;
 * then `docs/rm-shift.md` and `rm-shift.json` are written. Two processes at a time; rerunning resumes everything.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jobDir, runJobs, structuredCloneDeepMerge } from '../scheduler.mjs';
import { submitCommandJob, submitStudyJobs, waitForSubmissions } from '../slurm-jobs.mjs';
import { analyzeVariant } from './analyze.mjs';
import { BASE_OVERRIDES, VARIANTS, variantArms } from './design.mjs';
import { rmShiftReplication } from './replication.mjs';
import { writeRmShiftDoc } from './write-doc.mjs';

const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** The default seeds of each profile. */
export const PROFILE_SEEDS = { full: [0, 1, 2, 3, 4], quick: [0, 1], smoke: [0] };

/**
 * @param {{ profile: 'full' | 'quick' | 'smoke', seeds?: number[], variants?: string[], root: string, docsDir: string,
 *   cli: string, jobs?: number, reportOnly?: boolean, executor?: 'local' | 'slurm', wait?: boolean,
 *   slurm?: import('../slurm-jobs.mjs').StudySlurmOptions, replicates?: string, log?: (line: string) => void }} o
 */
export async function runRmShift(o) {
  const log = o.log ?? (() => {});
  const seeds = o.seeds ?? PROFILE_SEEDS[o.profile];
  // The quick form runs the misspecified-RM variant only (two seeds, ≤ 15 minutes on 2 cores).
  const chosen = o.variants ?? (o.profile === 'quick' ? ['digest-head'] : undefined);
  const variants = VARIANTS.filter((v) => !chosen || chosen.includes(v.key));
  if (variants.length === 0) throw new Error(`no variant among ${o.variants?.join(', ')}`);
  const preset = o.profile === 'smoke' ? 'smoke' : 'quick';
  /** @type {import('../arms.mjs').Job[]} */
  const jobs = [];
  for (const seed of seeds)
    for (const v of variants)
      jobs.push({
        id: `${v.key}/s${seed}`,
        seed,
        arm: {
          key: v.key,
          label: v.label,
          group: 'rm-shift',
          overrides: structuredCloneDeepMerge(BASE_OVERRIDES, v.overrides),
        },
        // SFT depends on the task, the model, the SFT config and the seed: shared by the variants of a seed that
        // leave those alone (the pipeline's stage fingerprints would redo a wrongly shared one anyway).
        signatures: { sft: sftSignature(v.overrides) },
      });
  const t0 = Date.now();
  if (!o.reportOnly) {
    log(`rm-shift ${o.profile}: ${variants.length} variants × seeds ${seeds.join(',')}, out ${o.root}`);
    if (o.executor === 'slurm') {
      const submitted = await submitOnSlurm(jobs, variants, { ...o, preset, log });
      if (submitted) {
        log('the jobs run in SLURM: rerun this command with --report-only once they end (or --wait)');
        return { markdown: '', analysis: {}, submitted: true };
      }
    } else await runLocally(jobs, variants, { ...o, preset, log });
  }
  const wallSeconds = (Date.now() - t0) / 1000;
  /** @type {Record<string, ReturnType<typeof analyzeVariant> & { splits: Record<string, ReturnType<typeof analyzeVariant>> }>} */
  const analysis = {};
  for (const v of variants) {
    /** @type {Record<number, any>} */
    const bySeed = {};
    for (const seed of seeds) {
      const dir = join(o.root, `s${seed}`, v.key, 'rm-shift', 'arms');
      if (!existsSync(dir)) continue;
      bySeed[seed] = {};
      for (const arm of variantArms(v, o.profile)) {
        const file = join(dir, `${arm.key}.json`);
        if (existsSync(file)) bySeed[seed][arm.key] = JSON.parse(await readFile(file, 'utf8'));
      }
    }
    analysis[v.key] = {
      ...analyzeVariant(bySeed),
      splits: {
        accuracyLonger: analyzeVariant(bySeed, 'accuracyLonger'),
        accuracyRepeat: analyzeVariant(bySeed, 'accuracyRepeat'),
        spearman: analyzeVariant(bySeed, 'spearman'),
      },
    };
  }
  const replication = o.replicates
    ? {
        file: o.replicates,
        variants: rmShiftReplication(
          JSON.parse(await readFile(o.replicates, 'utf8')),
          analysis,
          o.replicates,
        ),
      }
    : undefined;
  await writeFile(
    join(o.root, 'rm-shift.json'),
    `${JSON.stringify({ seeds, analysis, ...(replication ? { replication } : {}) }, null, 2)}\n`,
  );
  await mkdir(o.docsDir, { recursive: true }); // a --docs folder outside the repository may not exist yet
  const markdown = await writeRmShiftDoc({
    docsDir: o.docsDir,
    analysis,
    variants,
    seeds,
    profile: o.profile,
    wallSeconds: o.reportOnly ? Number.NaN : wallSeconds,
    root: o.root,
    replication,
    // The flags that reproduce this page beyond the profile's defaults.
    flags: [
      ...(o.seeds && o.seeds.join(',') !== PROFILE_SEEDS[o.profile].join(',')
        ? [`--seeds ${o.seeds.join(',')}`]
        : []),
      ...(o.variants ? [`--variants ${o.variants.join(',')}`] : []),
      ...(o.replicates ? [`--replicates ${relative(process.cwd(), o.replicates) || o.replicates}`] : []),
    ],
  });
  log(`wrote ${join(o.docsDir, 'rm-shift.md')}`);
  return { markdown, analysis };
}

/**
 * The base runs (`runJobs`) then one worker per finished base run, `jobs` processes at a time, here.
 * @param {import('../arms.mjs').Job[]} jobs
 * @param {import('./design.mjs').Variant[]} variants
 * @param {{ profile: 'full' | 'quick' | 'smoke', root: string, cli: string, preset: string, jobs?: number,
 *   log: (line: string) => void }} o
 */
async function runLocally(jobs, variants, o) {
  const base = await runJobs(jobs, {
    root: o.root,
    cli: o.cli,
    preset: o.preset,
    concurrency: o.jobs ?? 2,
    log: o.log,
  });
  const ok = new Set(base.filter((r) => r.exitCode === 0).map((r) => r.id));
  await pool(
    jobs.filter((j) => ok.has(j.id)),
    o.jobs ?? 2,
    (job) => {
      const dir = jobDir(o.root, job);
      return runWorker(
        dir,
        join(dir, 'rm-shift'),
        o.profile,
        o.root,
        job.id,
        armKeys(variants, job, o.profile),
        o.log,
      );
    },
  );
}

/**
 * On SLURM: the base runs as study jobs, and per base run a worker job after it (`afterok`); with `wait`, follows them
 * all. Returns true when jobs were left running.
 * @param {import('../arms.mjs').Job[]} jobs
 * @param {import('./design.mjs').Variant[]} variants
 * @param {{ profile: 'full' | 'quick' | 'smoke', root: string, cli: string, preset: string, wait?: boolean,
 *   slurm?: import('../slurm-jobs.mjs').StudySlurmOptions, log: (line: string) => void }} o
 */
async function submitOnSlurm(jobs, variants, o) {
  const live = await submitStudyJobs(jobs, {
    root: o.root,
    cli: o.cli,
    preset: o.preset,
    slurm: o.slurm,
    log: o.log,
  });
  /** @type {{ key: string, submission: import('../slurm-jobs.mjs').Submission, ok: () => boolean }[]} */
  const entries = [];
  for (const job of jobs) {
    const dir = jobDir(o.root, job);
    const keys = armKeys(variants, job, o.profile);
    const done = () => keys.every((k) => existsSync(join(dir, 'rm-shift', 'arms', `${k}.json`)));
    const base = live[job.id];
    if (base)
      entries.push({ key: job.id, submission: base, ok: () => existsSync(join(dir, 'report', 'done')) });
    const arms = await submitCommandJob(`arms:${job.id}`, [worker, dir, join(dir, 'rm-shift'), o.profile], {
      root: o.root,
      after: base?.jobId,
      done,
      slurm: o.slurm,
      log: o.log,
    });
    if (arms) entries.push({ key: `arms:${job.id}`, submission: arms, ok: done });
  }
  if (entries.length === 0) return false;
  if (!o.wait) return true;
  await waitForSubmissions(entries, { log: o.log });
  return false;
}

/**
 * The reward-model arm keys of a job's variant.
 * @param {import('./design.mjs').Variant[]} variants
 * @param {import('../arms.mjs').Job} job
 * @param {'full' | 'quick' | 'smoke'} profile
 */
function armKeys(variants, job, profile) {
  const variant = /** @type {import('./design.mjs').Variant} */ (variants.find((v) => v.key === job.arm.key));
  return variantArms(variant, profile).map((a) => a.key);
}

/**
 * What SFT depends on among a variant's overrides (task, model, sft), as a stable string.
 * @param {Record<string, unknown>} overrides
 */
export function sftSignature(overrides) {
  const o = /** @type {any} */ (overrides);
  return JSON.stringify({ task: o.task ?? null, model: o.model ?? null, sft: o.sft ?? null });
}

/**
 * Runs `work` over `items`, `concurrency` at a time.
 * @template T
 * @param {T[]} items @param {number} concurrency @param {(item: T) => Promise<unknown>} work
 */
async function pool(items, concurrency, work) {
  const queue = [...items];
  const runners = Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(runners);
}

/**
 * One worker process (resumable: it skips what its study folder already has; not started when every arm is there).
 * @param {string} baseDir @param {string} studyDir @param {string} profile @param {string} root @param {string} id
 * @param {string[]} armKeys @param {(line: string) => void} log
 */
async function runWorker(baseDir, studyDir, profile, root, id, armKeys, log) {
  if (armKeys.every((k) => existsSync(join(studyDir, 'arms', `${k}.json`)))) return 0;
  await mkdir(join(root, 'logs'), { recursive: true });
  const logFile = await open(join(root, 'logs', `rm-shift__${id.replace('/', '__')}.log`), 'a');
  const t0 = Date.now();
  log(`start arms of ${id}`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [worker, baseDir, studyDir, profile], {
      stdio: ['ignore', logFile.fd, logFile.fd],
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(1));
  });
  await logFile.close();
  log(
    `${code === 0 ? 'done' : `FAILED (exit ${code})`} arms of ${id} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  return code;
}

/** Seeds that have finished arms in `root` (for --report-only). @param {string} root */
export async function seedsIn(root) {
  if (!existsSync(root)) return [];
  return (await readdir(root))
    .filter((d) => /^s\d+$/.test(d))
    .map((d) => Number(d.slice(1)))
    .sort((a, b) => a - b);
}
