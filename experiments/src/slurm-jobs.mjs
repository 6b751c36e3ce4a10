// @ts-check
/**
 * A study's jobs on SLURM (`npm run experiment -- --executor slurm`): one SLURM job per (arm, seed) running the
 * `ocrm run` a local child process would run (`slurm-job.mjs`: copy the shared stages in, write the config, run),
 * with `afterok` dependencies on the jobs whose stages it copies — so the stages shared by arms are computed once, by
 * their first job. `<root>/slurm/jobs.json` records every submission: rerunning the same command submits only jobs
 * that are neither finished nor queued/running (a failed or cancelled job is resubmitted and resumes from its run
 * folder's checkpoints). Logs: `<root>/slurm/<arm>__s<seed>-<jobid>.log`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_WASM_THREADS } from '@ocrm/backend-wasm';
import { writeJsonAtomic } from '@ocrm/core';
import { jobState, SLURM_ACTIVE_STATES, SLURM_FAILED_STATES, shellQuote, submitJob } from '@ocrm/pipeline';
import { planCopies } from './arms.mjs';
import { jobDir, runJobs } from './scheduler.mjs';

/** @typedef {import('./arms.mjs').Job} Job */
/** @typedef {import('./scheduler.mjs').JobResult} JobResult */

/**
 * Resources of every study job (documented defaults: 1 CPU — tfjs-wasm uses one core —, no GPU, the partition's
 * time and memory limits).
 * @typedef {object} StudySlurmOptions
 * @property {string} [partition]
 * @property {string} [time]
 * @property {number} [cpus]
 * @property {string} [mem]
 * @property {number} [gpus]
 * @property {string} [setup]  a shell line run first in each job (e.g. `module load nodejs/20`)
 */

/** @typedef {{ jobId: string, log: string }} Submission */

const JOB_SCRIPT = fileURLToPath(new URL('./slurm-job.mjs', import.meta.url));

/** A job's run is finished when its last stage (`report`) is. @param {string} dir */
const finished = (dir) => existsSync(join(dir, 'report', 'done'));

/** @param {Job} job */
const fileId = (job) => job.id.replace('/', '__');

/**
 * Submits the jobs that are not finished and not already queued or running.
 * @param {readonly Job[]} jobs
 * @param {{ root: string, cli: string, preset: string, extraConfig?: Record<string, unknown>,
 *   slurm?: StudySlurmOptions, log?: (line: string) => void }} options
 * @returns {Promise<Record<string, Submission>>} the submission of every job not finished (new or still active)
 */
export async function submitStudyJobs(jobs, options) {
  const { root } = options;
  await mkdir(join(root, 'slurm', 'specs'), { recursive: true });
  const copies = planCopies(jobs);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  /** @type {Record<string, Submission>} */
  const live = {};
  for (const job of jobs) {
    const dir = jobDir(root, job);
    if (finished(dir)) continue;
    const shared = copies.get(job.id) ?? [];
    const after = [...new Set(shared.map((c) => live[c.from]?.jobId).filter(Boolean))].join(':');
    const specFile = join(root, 'slurm', 'specs', `${fileId(job)}.json`);
    await writeJsonAtomic(specFile, {
      job,
      root,
      cli: options.cli,
      preset: options.preset,
      extraConfig: options.extraConfig ?? {},
      copies: shared.map(({ stage, from }) => ({
        stage,
        fromDir: jobDir(root, /** @type {Job} */ (byId.get(from))),
      })),
    });
    const submission = await submitCommandJob(job.id, [JOB_SCRIPT, specFile], {
      root,
      after: after || undefined,
      done: () => finished(dir),
      slurm: options.slurm,
      log: options.log,
    });
    if (submission) live[job.id] = submission;
  }
  return live;
}

/**
 * Submits one job running `node <argv…>` under `key` in `<root>/slurm/jobs.json` — unless `done()` already holds or
 * an earlier submission under that key is still queued or running (then that one is returned).
 * @param {string} key
 * @param {string[]} argv  the script and its arguments
 * @param {{ root: string, after?: string, done: () => boolean, slurm?: StudySlurmOptions, log?: (line: string) => void }} o
 * @returns {Promise<Submission | undefined>}
 */
export async function submitCommandJob(key, argv, o) {
  if (o.done()) return undefined;
  const log = o.log ?? (() => {});
  const slurm = o.slurm ?? {};
  const slurmDir = join(o.root, 'slurm');
  await mkdir(slurmDir, { recursive: true });
  const recordFile = join(slurmDir, 'jobs.json');
  /** @type {Record<string, Submission>} */
  const record = existsSync(recordFile) ? JSON.parse(await readFile(recordFile, 'utf8')) : {};
  const previous = record[key];
  if (previous) {
    const { state } = await jobState(previous.jobId);
    if (SLURM_ACTIVE_STATES.has(state)) {
      log(`${key}: job ${previous.jobId} is ${state}, not resubmitted`);
      return previous;
    }
  }
  // A job with n > 1 CPUs runs tfjs-wasm with n XNNPACK threads (at most 8; the same numbers at any count).
  const threads = Math.min(MAX_WASM_THREADS, slurm.cpus ?? 1);
  const command = [
    ...(slurm.setup ? [slurm.setup] : []),
    [
      ...(threads > 1 ? [`OCRM_WASM_THREADS=${threads}`] : []),
      ...[process.execPath, ...argv].map(shellQuote),
    ].join(' '),
  ].join(' && ');
  const logPattern = join(slurmDir, `${key.replace(/[/:]/g, '__')}-%j.log`);
  const jobId = await submitJob({
    name: `ocrm-${key.replace(/[/:]/g, '-')}`,
    command,
    log: logPattern,
    resources: {
      partition: slurm.partition,
      time: slurm.time,
      cpusPerTask: slurm.cpus ?? 1,
      mem: slurm.mem,
      gpus: slurm.gpus ?? 0,
    },
    after: o.after,
  });
  record[key] = { jobId, log: logPattern.replace('%j', jobId) };
  await writeJsonAtomic(recordFile, record);
  log(`submitted ${key} as job ${jobId}${o.after ? ` (after ${o.after})` : ''}`);
  return record[key];
}

/**
 * Follows submissions until each job has ended; `ok` (per key) says whether it produced what it should.
 * @param {{ key: string, submission: Submission, ok: () => boolean }[]} entries
 * @param {{ log?: (line: string) => void, pollMs?: number }} [o]
 * @returns {Promise<Record<string, boolean>>} key → ok
 */
export async function waitForSubmissions(entries, o = {}) {
  const log = o.log ?? (() => {});
  /** @type {Record<string, boolean>} */
  const outcome = {};
  const open = new Map(entries.map((e) => [e.key, e]));
  while (open.size > 0) {
    for (const [key, { submission, ok }] of open) {
      const { state, exitCode } = await jobState(submission.jobId);
      if (!(state === 'COMPLETED' || SLURM_FAILED_STATES.has(state) || state === 'UNKNOWN')) continue;
      open.delete(key);
      outcome[key] = ok();
      log(
        outcome[key]
          ? `done ${key} (job ${submission.jobId})`
          : `FAILED ${key}: job ${submission.jobId} ended ${state}${exitCode ? ` (exit ${exitCode})` : ''}; its log: ${submission.log}`,
      );
    }
    if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 2000));
  }
  return outcome;
}

/**
 * Follows submitted jobs until each has ended; the results the local scheduler returns (exit code 0 when the run
 * finished, 1 otherwise, with the job named in the log line).
 * @param {readonly Job[]} jobs
 * @param {Record<string, Submission>} live
 * @param {{ root: string, log?: (line: string) => void, pollMs?: number }} o
 * @returns {Promise<JobResult[]>}
 */
export async function waitForStudyJobs(jobs, live, o) {
  const t0 = Date.now();
  const outcome = await waitForSubmissions(
    jobs
      .filter((job) => live[job.id])
      .map((job) => ({
        key: job.id,
        submission: /** @type {Submission} */ (live[job.id]),
        ok: () => finished(jobDir(o.root, job)),
      })),
    o,
  );
  const seconds = (Date.now() - t0) / 1000;
  return jobs.map((job) => ({
    id: job.id,
    dir: jobDir(o.root, job),
    seconds: job.id in outcome ? seconds : 0,
    exitCode: (outcome[job.id] ?? finished(jobDir(o.root, job))) ? 0 : 1,
    copied: [],
  }));
}

/**
 * The study's executor: `local` runs the jobs here (`runJobs`, `concurrency` at a time); `slurm` submits them and,
 * with `wait`, follows them to the end. `submitted` is true when the jobs were left running in SLURM.
 * @param {readonly Job[]} jobs
 * @param {{ executor?: 'local' | 'slurm', wait?: boolean, slurm?: StudySlurmOptions, root: string, cli: string,
 *   preset: string, concurrency?: number, extraConfig?: Record<string, unknown>, log?: (line: string) => void }} o
 * @returns {Promise<{ results: JobResult[], submitted: boolean }>}
 */
export async function runStudyJobs(jobs, o) {
  if ((o.executor ?? 'local') === 'local') return { results: await runJobs(jobs, o), submitted: false };
  const live = await submitStudyJobs(jobs, o);
  if (!o.wait) return { results: [], submitted: Object.keys(live).length > 0 };
  return { results: await waitForStudyJobs(jobs, live, o), submitted: false };
}
