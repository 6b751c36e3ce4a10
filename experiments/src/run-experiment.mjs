#!/usr/bin/env node
// @ts-check
/**
 * `npm run experiment -- --study rm-shift …`: the RM-level study (see `rm-shift/run-rm-shift.mjs`).
 *
 * `npm run experiment [-- --quick | --smoke] [--ablation] [--seeds 0,1,2] [--out DIR] [--docs DIR] [--jobs 2]
 *   [--report-only] [--wall MINUTES] [--ablation-wall MINUTES]`
 *
 * Runs the arms of issue 10 (standard RLHF, iterated λ = 0 with KL previous / SFT, OCRM at the tuned λ and at the
 * paper's 0.001 with KL previous / SFT, normalised or not, DPO, WPO) over seeds, plus a λ × α sweep on one seed,
 * as child processes of the `ocrm` CLI (two at a time), then writes `docs/results-appendix-3-seeds.md` and `docs/figures/*.svg`.
 * `--ablation` (full form) adds the `roundStart` ablation (3 runs on the sweep seed, ~5 minutes) to the same run
 * folder. Rerunning with the same `--out` resumes: finished stages are skipped.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESETS } from '@ocrm/pipeline';
import { mainArms, ocrmArm, planJobs, roundStartArms, sweepArms } from './arms.mjs';
import { addMatchedKl, collectJob } from './collect.mjs';
import { exploitSection } from './exploit-section.mjs';
import { FRONTIER_SEEDS, FRONTIER_TARGET_ESS, runFrontier } from './frontier/run-frontier.mjs';
import { rmShiftReplication } from './rm-shift/replication.mjs';
import { PROFILE_SEEDS, runRmShift } from './rm-shift/run-rm-shift.mjs';
import { jobDir, runJobs } from './scheduler.mjs';
import { RESULTS_FILE, writeResults } from './write-results.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The tuned λ (ratioExponent) of the quick preset's digest setting; see docs/results-appendix-3-seeds.md. */
export const TUNED_LAMBDA = Number(
  /** @type {any} */ (PRESETS.quick?.config.weighting)?.ratioExponent ?? 0.1,
);

/**
 * The three forms of the experiment.
 * @param {'full' | 'quick' | 'smoke'} profile
 * @param {number} lambda
 * @param {{ ablation?: boolean }} [o] `ablation` adds the `roundStart` ablation to the full form's sweep seed.
 */
export function profileArms(profile, lambda, o = {}) {
  if (profile === 'smoke') {
    return {
      preset: 'smoke',
      seeds: [0],
      main: [
        { key: 'rlhf', label: 'standard RLHF', group: 'main', overrides: { method: 'rlhf' } },
        ocrmArm({ lambda, kl: 'previous', normalize: 'dataset' }),
      ],
      sweep: [],
    };
  }
  if (profile === 'quick') {
    // 8 runs (≤ 15 minutes on 2 cores): the 2 normalised OCRM arms at the tuned λ and a 2-point sweep (λ/10, nearly
    // uniform weights, and 3λ at α 0.1) on the first seed. The full form adds the paper's λ = 0.001, the
    // unnormalised arms, OCRM λ = 0, WPO and α = 0.
    const main = mainArms({ lambda, full: false });
    const sweep = sweepArms([round(lambda / 10), round(lambda * 3)], [0.1]);
    return { preset: 'quick', seeds: [0], main, sweep };
  }
  const lambdas = [lambda / 10, lambda, lambda * 3].map(round);
  return {
    preset: 'quick',
    seeds: [0, 1, 2],
    main: mainArms({ lambda, full: true }),
    sweep: [...sweepArms(lambdas, [0, 0.1]), ...(o.ablation ? roundStartArms(lambda) : [])],
  };
}

/** λ values printed compactly (3 significant digits). @param {number} x */
const round = (x) => Number(x.toPrecision(3));

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string | boolean>} */
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = /** @type {string} */ (argv[i]);
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, v] = a.slice(2).split('=');
    const key = /** @type {string} */ (k);
    if (v !== undefined) flags[key] = v;
    else if (
      ['quick', 'smoke', 'ablation', 'report-only', 'no-sweep', 'no-diagnostics', 'wait'].includes(key)
    )
      flags[key] = true;
    else flags[key] = /** @type {string} */ (argv[++i]);
  }
  return flags;
}

/**
 * Runs the experiment. Exported for the CI test.
 * @param {string[]} argv
 * @returns {Promise<{ markdown: string, failed: number, wallSeconds: number }>}
 */
export async function main(argv) {
  const flags = parseArgs(argv);
  const profile = flags.smoke ? 'smoke' : flags.quick ? 'quick' : 'full';
  if (flags.study !== undefined && !['rm-shift', 'frontier', 'appendix'].includes(String(flags.study))) {
    throw new Error(`unknown --study ${String(flags.study)} (rm-shift, frontier, appendix)`);
  }
  if (
    flags.executor !== undefined &&
    flags.executor !== 'local' &&
    !['frontier', 'rm-shift'].includes(String(flags.study))
  )
    throw new Error(
      `--executor ${String(flags.executor)} runs the studies (--study frontier or rm-shift); the appendix experiment runs here (drop --executor).`,
    );
  if (flags.study === 'rm-shift') return studyRmShift(flags, profile);
  if (flags.study === 'frontier') return studyFrontier(flags, profile);
  const lambda = flags.lambda ? Number(flags.lambda) : TUNED_LAMBDA;
  if (flags.ablation && profile !== 'full')
    throw new Error('--ablation belongs to the full form (drop --quick/--smoke)');
  const plan = profileArms(profile, lambda, { ablation: flags.ablation === true });
  const seeds = typeof flags.seeds === 'string' ? flags.seeds.split(',').map(Number) : plan.seeds;
  const root = resolve(
    typeof flags.out === 'string' ? flags.out : join(repo, 'runs', `experiment-${profile}`),
  );
  const docsDir = resolve(typeof flags.docs === 'string' ? flags.docs : join(repo, 'docs'));
  const cli = join(repo, 'apps', 'reference', 'dist', 'bin.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the CLI first (npm run build).`);
  const jobs = planJobs({ main: plan.main, sweep: flags['no-sweep'] ? [] : plan.sweep, seeds });
  const log = (/** @type {string} */ line) =>
    console.log(`[experiment ${new Date().toISOString().slice(11, 19)}] ${line}`);
  log(`profile ${profile}: ${jobs.length} runs, seeds ${seeds.join(',')}, λ ${lambda}, out ${root}`);
  const t0 = Date.now();
  const results = flags['report-only']
    ? jobs.map((job) => ({
        id: job.id,
        dir: jobDir(root, job),
        seconds: Number.NaN,
        exitCode: 0,
        copied: [],
      }))
    : await runJobs(jobs, {
        root,
        cli,
        preset: plan.preset,
        concurrency: Number(flags.jobs ?? 2),
        log,
      });
  // --wall MINUTES: the wall time of the run being reported (with --report-only); --ablation-wall MINUTES: that of
  // the ablation when it ran as a second invocation.
  const wallSeconds = flags.wall ? Number(flags.wall) * 60 : (Date.now() - t0) / 1000;
  const ablationWallSeconds = flags['ablation-wall'] ? Number(flags['ablation-wall']) * 60 : undefined;
  const byId = new Map(results.map((r) => [r.id, r]));
  const metrics = [];
  for (const job of jobs) {
    const r = byId.get(job.id);
    if (r) metrics.push(await collectJob(job, r));
  }
  addMatchedKl(metrics);
  const failed = metrics.filter((m) => !m.ok).length;
  const extra =
    profile === 'smoke' || flags['no-diagnostics']
      ? undefined
      : await exploitSection(jobs, metrics, root, plan.preset);
  const args = [
    ...(profile === 'full' ? [] : [`--${profile}`]),
    ...(flags.ablation ? ['--ablation'] : []),
    ...(typeof flags.seeds === 'string' ? ['--seeds', flags.seeds] : []),
    ...(flags.lambda ? ['--lambda', String(flags.lambda)] : []),
  ];
  const command = `npm run experiment${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const markdown = await writeResults({
    jobs: metrics,
    docsDir,
    notesFile: profile === 'smoke' ? undefined : join(repo, 'experiments', 'notes.md'),
    command,
    profile,
    seeds,
    wallSeconds,
    ablationWallSeconds,
    preset: plan.preset,
    baseConfig: /** @type {any} */ (PRESETS[plan.preset]?.config ?? {}),
    extra,
  });
  log(
    `wrote ${join(docsDir, RESULTS_FILE)} (${failed} runs not finished) in ${(wallSeconds / 60).toFixed(1)} min`,
  );
  return { markdown, failed, wallSeconds };
}

/**
 * @param {Record<string, string | boolean>} flags
 * @param {'full' | 'quick' | 'smoke'} profile
 */
async function studyRmShift(flags, profile) {
  const cli = join(repo, 'apps', 'reference', 'dist', 'bin.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the CLI first (npm run build).`);
  const t0 = Date.now();
  const { markdown } = await runRmShift({
    profile,
    seeds: typeof flags.seeds === 'string' ? flags.seeds.split(',').map(Number) : PROFILE_SEEDS[profile],
    variants: typeof flags.variants === 'string' ? flags.variants.split(',') : undefined,
    root: resolve(typeof flags.out === 'string' ? flags.out : join(repo, 'runs', `rm-shift-${profile}`)),
    docsDir: resolve(typeof flags.docs === 'string' ? flags.docs : join(repo, 'docs')),
    cli,
    jobs: Number(flags.jobs ?? 2),
    reportOnly: flags['report-only'] === true,
    replicates: await replicatesFile(flags, 'rm-shift'),
    ...studyExecutor(flags),
    log: (line) => console.log(`[rm-shift ${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  return { markdown, failed: 0, wallSeconds: (Date.now() - t0) / 1000 };
}

/**
 * @param {Record<string, string | boolean>} flags
 * @param {'full' | 'quick' | 'smoke'} profile
 */
async function studyFrontier(flags, profile) {
  const cli = join(repo, 'apps', 'reference', 'dist', 'bin.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the CLI first (npm run build).`);
  return runFrontier({
    profile,
    variant: typeof flags.variant === 'string' ? flags.variant : 'digest-head',
    targetEss: flags['target-ess'] ? Number(flags['target-ess']) : FRONTIER_TARGET_ESS,
    seeds: typeof flags.seeds === 'string' ? flags.seeds.split(',').map(Number) : FRONTIER_SEEDS[profile],
    roundStarts:
      typeof flags['round-starts'] === 'string'
        ? /** @type {any} */ (flags['round-starts'].split(','))
        : undefined,
    root: resolve(typeof flags.out === 'string' ? flags.out : join(repo, 'runs', `frontier-${profile}`)),
    docsDir: resolve(typeof flags.docs === 'string' ? flags.docs : join(repo, 'docs')),
    cli,
    jobs: Number(flags.jobs ?? 2),
    reportOnly: flags['report-only'] === true,
    arms: typeof flags.arms === 'string' ? flags.arms.split(',') : undefined,
    featureCache: rmFeatureCache(flags['rm-feature-cache']),
    replicates: await replicatesFile(flags, 'frontier'),
    ...studyExecutor(flags),
    log: (line) => console.log(`[frontier ${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
}

/**
 * `--executor local | slurm` (default local) with `--wait` and the SLURM resources of every job (`--slurm-partition`,
 * `--slurm-time`, `--slurm-cpus` (default 1), `--slurm-mem`, `--slurm-gpus`, `--slurm-setup`).
 * @param {Record<string, string | boolean>} flags
 */
function studyExecutor(flags) {
  const executor = flags.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm')
    throw new Error(`--executor: expected local or slurm, got ${String(executor)}`);
  const text = (/** @type {string} */ name) =>
    typeof flags[name] === 'string' ? String(flags[name]) : undefined;
  const count = (/** @type {string} */ name) => {
    const v = text(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`--${name}: expected a whole number, got ${v}`);
    return Number(v);
  };
  return {
    executor: /** @type {'local' | 'slurm'} */ (executor),
    wait: flags.wait === true,
    slurm: {
      partition: text('slurm-partition'),
      time: text('slurm-time'),
      cpus: count('slurm-cpus'),
      mem: text('slurm-mem'),
      gpus: count('slurm-gpus'),
      setup: text('slurm-setup'),
    },
  };
}

/**
 * `--replicates <file>`: the earlier study's `rm-shift.json` / `frontier.json`, read and checked before any run starts
 * (it is used only once every run has finished, which can be hours later).
 * @param {Record<string, string | boolean>} flags
 * @param {'rm-shift' | 'frontier'} study
 * @returns {Promise<string | undefined>} the resolved path
 */
async function replicatesFile(flags, study) {
  if (flags.replicates === undefined) return undefined;
  if (typeof flags.replicates !== 'string')
    throw new Error(`--replicates: expected the earlier ${study}.json`);
  const file = resolve(flags.replicates);
  /** @type {any} */
  let earlier;
  try {
    earlier = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`--replicates ${file}: cannot read it as JSON (${/** @type {Error} */ (error).message})`);
  }
  const field = study === 'rm-shift' ? 'analysis' : 'byArm';
  if (!Array.isArray(earlier?.seeds) || typeof earlier?.[field] !== 'object' || earlier[field] === null)
    throw new Error(`--replicates ${file}: not a ${study}.json (no \`seeds\` and \`${field}\`)`);
  // An rm-shift.json written before the per-seed values were kept fails here, naming the fix.
  if (study === 'rm-shift') rmShiftReplication(earlier, earlier.analysis, file);
  return file;
}

/**
 * `--rm-feature-cache run | stage` (default run): where head-only reward models keep their frozen backbone's features
 * (`rewardModel.featureCache`). `stage` reproduces the studies run before the option existed bit for bit.
 * @param {string | boolean | undefined} flag
 * @returns {'run' | 'stage'}
 */
function rmFeatureCache(flag) {
  if (flag === undefined || flag === 'run') return 'run';
  if (flag === 'stage') return 'stage';
  throw new Error(`--rm-feature-cache: expected run or stage, got ${String(flag)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    ({ failed }) => process.exit(failed > 0 ? 1 : 0),
    (error) => {
      console.error(error);
      process.exit(2);
    },
  );
}
