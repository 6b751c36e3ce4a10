// @ts-check
/**
 * Runs the experiment's jobs as child processes of the `ocrm` CLI, at most `concurrency` at a time (tfjs-wasm uses
 * one core per process). Before a job starts, the stage folders it shares with an earlier job of its seed are copied
 * in with their `done` markers, so the pipeline skips them; the job writes its own `config.json`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, open, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planCopies } from './arms.mjs';

/** @typedef {import('./arms.mjs').Job} Job */

/**
 * @typedef {object} JobResult
 * @property {string} id
 * @property {string} dir       run directory
 * @property {number} seconds   wall time of the child process
 * @property {number} exitCode
 * @property {string[]} copied  stage folders copied from other jobs
 */

/** Run directory of a job. @param {string} root @param {Job} job */
export const jobDir = (root, job) => join(root, `s${job.seed}`, job.arm.key);

/**
 * @param {readonly Job[]} jobs
 * @param {{ root: string, cli: string, preset: string, concurrency?: number, extraConfig?: Record<string, unknown>,
 *   log?: (line: string) => void, env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<JobResult[]>}
 */
export async function runJobs(jobs, options) {
  const { root, cli, preset, concurrency = 2, log = () => {} } = options;
  const copies = planCopies(jobs);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const pending = [...jobs];
  /** @type {Map<string, Promise<JobResult>>} */
  const running = new Map();
  /** @type {JobResult[]} */
  const results = [];
  const failed = new Set();
  await mkdir(join(root, 'configs'), { recursive: true });
  await mkdir(join(root, 'logs'), { recursive: true });

  /** @param {Job} job */
  const donorsState = (job) => {
    let ready = true;
    for (const { stage, from } of copies.get(job.id) ?? []) {
      if (failed.has(from)) return 'failed';
      if (!existsSync(join(jobDir(root, /** @type {Job} */ (byId.get(from))), stage, 'done'))) ready = false;
    }
    return ready ? 'ready' : 'wait';
  };

  /** @param {Job} job @returns {Promise<JobResult>} */
  const start = async (job) => {
    const { dir, configFile, copied } = await prepareJob(job, {
      root,
      copies: (copies.get(job.id) ?? []).map(({ stage, from }) => ({
        stage,
        fromDir: jobDir(root, /** @type {Job} */ (byId.get(from))),
      })),
      extraConfig: options.extraConfig,
    });
    const logFile = await open(join(root, 'logs', `${job.id.replace('/', '__')}.log`), 'w');
    const t0 = Date.now();
    log(`start ${job.id}${copied.length ? ` (copied ${copied.join(', ')})` : ''}`);
    const exitCode = await new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [cli, 'run', '--preset', preset, '--config', configFile, '--out', dir, '--quiet'],
        { stdio: ['ignore', logFile.fd, logFile.fd], env: options.env ?? process.env },
      );
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      child.on('error', () => resolve(1));
    });
    await logFile.close();
    const seconds = (Date.now() - t0) / 1000;
    log(`${exitCode === 0 ? 'done ' : `FAILED (exit ${exitCode}) `}${job.id} in ${seconds.toFixed(0)} s`);
    return { id: job.id, dir, seconds, exitCode: /** @type {number} */ (exitCode), copied };
  };

  while (pending.length > 0 || running.size > 0) {
    let progressed = false;
    for (let i = 0; i < pending.length && running.size < concurrency; ) {
      const job = /** @type {Job} */ (pending[i]);
      const state = donorsState(job);
      if (state === 'failed') {
        pending.splice(i, 1);
        failed.add(job.id);
        log(`skip ${job.id}: a job it shares stages with failed`);
        results.push({ id: job.id, dir: jobDir(root, job), seconds: 0, exitCode: -1, copied: [] });
        progressed = true;
        continue;
      }
      if (state === 'wait') {
        i++;
        continue;
      }
      pending.splice(i, 1);
      running.set(
        job.id,
        start(job).then((r) => {
          running.delete(job.id);
          if (r.exitCode !== 0) failed.add(job.id);
          results.push(r);
          return r;
        }),
      );
      progressed = true;
    }
    if (running.size === 0 && !progressed && pending.length > 0) {
      // Donors that are not pending and not running never finished their stage: nothing can make progress.
      for (const job of pending.splice(0)) {
        failed.add(job.id);
        results.push({ id: job.id, dir: jobDir(root, job), seconds: 0, exitCode: -1, copied: [] });
        log(`skip ${job.id}: its shared stages were never produced`);
      }
      break;
    }
    // Wake up when a job ends or every 2 s (a donor's stage may have finished mid-run).
    await Promise.race([...running.values(), new Promise((r) => setTimeout(r, 2000))]);
  }
  return results;
}

/**
 * Deep merge of plain objects (later wins), arrays and scalars replaced.
 * @param {...Record<string, unknown>} layers
 * @returns {Record<string, unknown>}
 */
export function structuredCloneDeepMerge(...layers) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      const isObj = (/** @type {unknown} */ x) => typeof x === 'object' && x !== null && !Array.isArray(x);
      out[k] =
        isObj(v) && isObj(out[k])
          ? structuredCloneDeepMerge(out[k], /** @type {any} */ (v))
          : structuredClone(v);
    }
  }
  return out;
}

/**
 * Prepares a job's run directory: copies in the stage folders it shares with other jobs of its seed (unless already
 * there, `done` markers included, so the pipeline skips them) and the donors' finished run-cache files (keyed by what
 * they depend on), then writes the job's config file. The local scheduler and the SLURM job script both call it.
 * @param {Job} job
 * @param {{ root: string, copies: readonly { stage: string, fromDir: string }[], extraConfig?: Record<string, unknown> }} o
 * @returns {Promise<{ dir: string, configFile: string, copied: string[] }>}
 */
export async function prepareJob(job, o) {
  const dir = jobDir(o.root, job);
  await mkdir(dir, { recursive: true });
  const copied = [];
  for (const { stage, fromDir } of o.copies) {
    const target = join(dir, stage);
    if (existsSync(join(target, 'done'))) continue;
    await cp(join(fromDir, stage), target, { recursive: true });
    copied.push(stage);
  }
  // The donors' run caches (π_SFT log-prob sums, frozen-backbone RM features) are keyed by what they depend on:
  // take the finished files (atomic writes: never a temporary `.name.tmp-*`) that this folder lacks.
  for (const fromDir of new Set(o.copies.map((c) => c.fromDir))) {
    const cacheDir = join(fromDir, 'cache');
    if (!existsSync(cacheDir)) continue;
    await mkdir(join(dir, 'cache'), { recursive: true });
    for (const name of await readdir(cacheDir)) {
      if (name.startsWith('.') || existsSync(join(dir, 'cache', name))) continue;
      const tmp = join(dir, 'cache', `.${name}.tmp-copy`);
      await copyFile(join(cacheDir, name), tmp);
      await rename(tmp, join(dir, 'cache', name));
    }
  }
  await mkdir(join(o.root, 'configs'), { recursive: true });
  const configFile = join(o.root, 'configs', `${job.id.replace('/', '__')}.json`);
  const config = {
    ...structuredCloneDeepMerge(o.extraConfig ?? {}, job.arm.overrides),
    seed: job.seed,
  };
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return { dir, configFile, copied };
}
