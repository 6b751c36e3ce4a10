// @ts-check
/**
 * `npm run experiment -- --study frontier [--quick | --smoke] [--variant digest-head] [--target-ess 0.3]
 *   [--seeds 10,…,19] [--round-starts restart,continue] [--out DIR] [--docs DIR] [--jobs 2] [--report-only]
 *   [--arms ocrm-restart,redraw-restart | all] [--rm-feature-cache run | stage]
 *   [--executor local | slurm [--wait] [--slurm-partition P] [--slurm-time T] [--slurm-cpus N] [--slurm-mem M]
 *   [--slurm-gpus N] [--slurm-setup LINE]] [--replicates <an earlier study's frontier.json>]` (`--arms`: run only these arms now, report every arm that has results;
 *   default: {@link FRONTIER_DEFAULT_ARMS})
 *
 * OCRM end to end (issue 19 §3): the arms of `design.mjs` over seeds, through the `ocrm` CLI (stages shared by arms
 * of a seed are computed once), then `docs/frontier.md` with the frontier metrics and the paired differences
 * OCRM − re-draw, OCRM − iterated and OCRM − RLHF. The seeds default to 10-19, disjoint from the rm-shift study's
 * 0-4 on which the variant and the target ESS are chosen.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { collectJob } from '../collect.mjs';
import { renderSvg } from '../figures.mjs';
import { VARIANTS } from '../rm-shift/design.mjs';
import { jobDir, structuredCloneDeepMerge } from '../scheduler.mjs';
import { runStudyJobs } from '../slurm-jobs.mjs';
import { frontierArms, frontierBase, frontierSignatures } from './design.mjs';
import { frontierFigureSpec } from './frontier-figure.mjs';
import { FRONTIER_KLS, frontierMetrics, pairedDifferences } from './frontier-metrics.mjs';
import { replicationTable } from './replication.mjs';

/** Default seeds per profile (disjoint from rm-shift's 0-4). */
export const FRONTIER_SEEDS = {
  full: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
  quick: [10],
  smoke: [10],
};

/**
 * The arms a profile runs when `--arms` is not given (`--arms all`: every arm of the design). The full form runs the
 * comparison that isolates the weights, OCRM and its λ = 0 re-draw under the official `restart` round start, on 10
 * seeds within its 90-minute budget (issue 19 §6: arms are cut before seeds); iterated, RLHF, DPO and the `continue`
 * arms are added with `--arms` (the harness resumes, so they can run in later invocations).
 * @type {Record<'full' | 'quick' | 'smoke', string[] | undefined>}
 */
export const FRONTIER_DEFAULT_ARMS = {
  full: ['ocrm-restart', 'redraw-restart'],
  quick: undefined,
  smoke: undefined,
};

/** The target ESS/N of adaptive λ, chosen on the rm-shift seeds 0-4 (docs/results.md). */
export const FRONTIER_TARGET_ESS = 0.3;

/**
 * @param {{ profile: 'full' | 'quick' | 'smoke', variant: string, targetEss: number, seeds?: number[],
 *   roundStarts?: ('restart' | 'continue')[], root: string, docsDir: string, cli: string, jobs?: number,
 *   reportOnly?: boolean, arms?: string[], featureCache?: 'stage' | 'run', executor?: 'local' | 'slurm', wait?: boolean,
 *   slurm?: import('../slurm-jobs.mjs').StudySlurmOptions, replicates?: string, log?: (line: string) => void }} o
 */
export async function runFrontier(o) {
  const log = o.log ?? (() => {});
  const variant = VARIANTS.find((v) => v.key === o.variant);
  if (!variant) throw new Error(`unknown variant ${o.variant} (${VARIANTS.map((v) => v.key).join(', ')})`);
  const seeds = o.seeds ?? FRONTIER_SEEDS[o.profile];
  const roundStarts = o.roundStarts ?? (o.profile === 'full' ? ['restart', 'continue'] : ['restart']);
  const featureCache = o.featureCache ?? 'run';
  // The frozen backbone's RM features, kept for the run (and copied to the arms sharing its stages), unless asked to
  // keep them per training as the studies before this option did (`--rm-feature-cache stage`).
  const rmFeatures =
    /** @type {any} */ (variant.overrides).rewardModel?.trainable === 'head' && featureCache === 'run'
      ? { rewardModel: { featureCache: 'run' } }
      : {};
  const arms = frontierArms({ targetEss: o.targetEss, roundStarts }).map((arm) => ({
    ...arm,
    overrides: structuredCloneDeepMerge(
      frontierBase(o.profile),
      variant.overrides,
      rmFeatures,
      arm.overrides,
    ),
  }));
  /** @type {import('../arms.mjs').Job[]} */
  const jobs = [];
  // Each seed's first arm produces the shared stages; then the rest, seed by seed.
  for (const seed of seeds)
    for (const arm of arms)
      jobs.push({ id: `${arm.key}/s${seed}`, arm, seed, signatures: frontierSignatures(arm) });
  const t0 = Date.now();
  const preset = o.profile === 'smoke' ? 'smoke' : 'quick';
  // Jobs not run now (report only, or arms left out by `--arms`) are reported from whatever their folders hold.
  const known = new Set(arms.map((arm) => arm.key));
  const unknown = (o.arms ?? []).filter((key) => key !== 'all' && !known.has(key));
  if (unknown.length > 0)
    throw new Error(
      `--arms: no arm ${unknown.join(', ')} with these round starts (${[...known].join(', ')}, all)`,
    );
  const armFilter = o.arms?.includes('all') ? undefined : (o.arms ?? FRONTIER_DEFAULT_ARMS[o.profile]);
  const toRun = o.reportOnly ? [] : jobs.filter((job) => !armFilter || armFilter.includes(job.arm.key));
  log(
    `frontier ${o.profile} on ${variant.key}: ${toRun.length} of the design's ${jobs.length} runs (${armFilter ? armFilter.join(', ') : 'every arm'}), seeds ${seeds.join(',')}, out ${o.root}`,
  );
  const { results: ran, submitted } = await runStudyJobs(toRun, {
    executor: o.executor,
    wait: o.wait,
    slurm: o.slurm,
    root: o.root,
    cli: o.cli,
    preset,
    concurrency: o.jobs ?? 2,
    log,
  });
  if (submitted) {
    log(
      `the jobs run in SLURM: follow them with squeue; rerun this command with --report-only once they end (or --wait)`,
    );
    return { markdown: '', failed: 0, wallSeconds: (Date.now() - t0) / 1000, submitted };
  }
  const ranIds = new Set(ran.map((r) => r.id));
  const results = [
    ...ran,
    ...jobs
      .filter((job) => !ranIds.has(job.id))
      .map((job) => ({ id: job.id, dir: jobDir(o.root, job), seconds: Number.NaN, exitCode: 0, copied: [] })),
  ];
  const wallSeconds = (Date.now() - t0) / 1000;
  /** @type {Record<string, Record<number, Record<string, number>>>} */
  const byArm = {};
  /** @type {Record<string, { label: string, curves: { kl: number, gold: number }[][], finals: { kl: number, gold: number }[] }>} */
  const curvesByArm = {};
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const job of jobs) {
    const r = byId.get(job.id);
    if (!r) continue;
    const collected = await collectJob(job, r);
    if (!collected.ok) continue;
    byArm[job.arm.key] ??= {};
    /** @type {any} */ (byArm[job.arm.key])[job.seed] = await frontierMetrics(collected, r.dir);
    curvesByArm[job.arm.key] ??= { label: job.arm.label, curves: [], finals: [] };
    const curves = curvesByArm[job.arm.key];
    if (collected.curve.length > 0) curves.curves.push(collected.curve);
    else if (Number.isFinite(collected.final.kl))
      curves.finals.push({ kl: collected.final.kl, gold: collected.final.gold });
  }
  const figuresDir = join(o.docsDir, 'figures');
  await mkdir(figuresDir, { recursive: true });
  await writeFile(
    join(figuresDir, 'frontier.svg'),
    await renderSvg(
      frontierFigureSpec(
        Object.values(curvesByArm),
        `OCRM end to end on ${variant.key}: gold against KL to SFT (${roundStarts.join(' and ')} rounds)`,
      ),
    ),
  );
  /** @type {Record<string, ReturnType<typeof pairedDifferences>>} */
  const comparisons = {};
  for (const rs of roundStarts) {
    comparisons[`ocrm-${rs} − redraw-${rs}`] = pairedDifferences(byArm, `ocrm-${rs}`, `redraw-${rs}`);
    comparisons[`ocrm-${rs} − iterated-${rs}`] = pairedDifferences(byArm, `ocrm-${rs}`, `iterated-${rs}`);
    comparisons[`ocrm-${rs} − rlhf`] = pairedDifferences(byArm, `ocrm-${rs}`, 'rlhf');
  }
  await writeFile(
    join(o.root, 'frontier.json'),
    `${JSON.stringify({ seeds, byArm, comparisons }, null, 2)}\n`,
  );
  const replication = o.replicates
    ? await replicationSection(o.replicates, byArm, Object.keys(comparisons))
    : [];
  const markdown = frontierDoc({
    replication,
    ...o,
    armFilter: o.arms,
    roundStarts: o.roundStarts,
    variant,
    seeds,
    arms,
    byArm,
    comparisons,
    wallSeconds,
  });
  await writeFile(join(o.docsDir, 'frontier.md'), markdown);
  log(`wrote ${join(o.docsDir, 'frontier.md')}`);
  return { markdown, failed: results.filter((r) => r.exitCode !== 0).length, wallSeconds };
}

/** @param {number} x */
const f = (x) => (Number.isFinite(x) ? x.toFixed(3) : '–');
/** @param {number} x */
const signed = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(3)}` : '–');

/** @param {any} o */
function frontierDoc(o) {
  const metrics = [
    'bestGold',
    ...FRONTIER_KLS.map((k) => `goldAtKl${k}`),
    'finalGold',
    'finalGreedyGold',
    'finalKl',
  ];
  const names = {
    bestGold: 'best gold on the curve',
    finalGold: `final gold (${o.profile === 'smoke' ? 2 : 4} samples/prompt, T 0.7)`,
    finalGreedyGold: 'final gold, greedy',
    finalKl: 'final KL to SFT',
  };
  /** @param {string} m */
  const name = (m) =>
    /** @type {any} */ (names)[m] ?? (m.startsWith('goldAtKl') ? `gold at KL ${m.slice(8)}` : m);
  const lines = [
    '# OCRM end to end: the `frontier` study',
    '',
    `Generated by \`npm run experiment -- --study frontier${o.profile === 'full' ? '' : ` --${o.profile}`} --variant ${o.variant.key} --target-ess ${o.targetEss}` +
      `${o.roundStarts ? ` --round-starts ${o.roundStarts.join(',')}` : ''}${o.armFilter ? ` --arms ${o.armFilter.join(',')}` : ''}` +
      `${o.featureCache === 'stage' ? ' --rm-feature-cache stage' : ''}${o.replicates ? ` --replicates ${o.replicates}` : ''}\`` +
      ` (seeds ${o.seeds.join(', ')}; ${Number.isFinite(o.wallSeconds) && !o.reportOnly ? `${(o.wallSeconds / 60).toFixed(1)} min wall` : 'report only'}` +
      ` on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load ${loadavg()[0]?.toFixed(2)} at the end). Variant: ${o.variant.label}.`,
    '',
    '| arm | seeds | ' + metrics.map(name).join(' | ') + ' |',
    `| --- | --- | ${metrics.map(() => '---').join(' | ')} |`,
  ];
  for (const arm of o.arms) {
    const runs = Object.values(o.byArm[arm.key] ?? {});
    if (runs.length === 0) continue; // an arm this invocation left out (`--arms`)
    const mean = (/** @type {string} */ m) => {
      const xs = runs.map((r) => /** @type {any} */ (r)[m]).filter(Number.isFinite);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
    };
    lines.push(`| ${arm.label} | ${runs.length} | ${metrics.map((m) => f(mean(m))).join(' | ')} |`);
  }
  lines.push('', '## Paired differences (95 % interval over seeds; detectable effect at 80 % power)', '');
  lines.push('| comparison | seeds | ' + metrics.map(name).join(' | ') + ' |');
  lines.push(`| --- | --- | ${metrics.map(() => '---').join(' | ')} |`);
  for (const [label, c] of Object.entries(o.comparisons)) {
    if (/** @type {any} */ (c).seeds.length === 0) continue;
    const cellOf = (/** @type {string} */ m) => {
      const d = /** @type {any} */ (c).differences[m];
      return d ? `${signed(d.mean)} [${signed(d.low)}, ${signed(d.high)}] (${f(d.mde)})` : '–';
    };
    lines.push(`| ${label} | ${/** @type {any} */ (c).seeds.length} | ${metrics.map(cellOf).join(' | ')} |`);
  }
  const rounds = Number(o.arms[0]?.overrides?.rounds ?? 2);
  const rmKeys = Array.from({ length: rounds - 1 }, (_, i) => [
    `rmAccStart/${i + 2}`,
    `rmAccEnd/${i + 2}`,
  ]).flat();
  lines.push(
    '',
    '## The mechanism: RM-k accuracy on fresh π_{k−1} pairs (start) and π_k pairs (end), OCRM − re-draw',
    '',
    `| comparison | ${rmKeys.join(' | ')} |`,
    `| --- | ${rmKeys.map(() => '---').join(' | ')} |`,
  );
  for (const [label, c] of Object.entries(o.comparisons)) {
    if (!label.includes('redraw')) continue;
    const cellOf = (/** @type {string} */ m) => {
      const d = /** @type {any} */ (c).differences[m];
      return d ? `${signed(d.mean)} [${signed(d.low)}, ${signed(d.high)}]` : '–';
    };
    lines.push(`| ${label} | ${rmKeys.map(cellOf).join(' | ')} |`);
  }
  lines.push(...o.replication);
  lines.push(
    '',
    '![Gold against KL to SFT: per arm the mean over seeds with its 95 % band](figures/frontier.svg)',
    '',
    'Curves: the PPO evaluation hook (gold and KL to SFT on the held-out prompts, one sample each at T 0.7), rounds',
    'concatenated, interpolated at a KL grid per seed; bands where at least 3 seeds reach that KL. DPO: its final',
    'evaluation (points).',
    '',
    `Run folders: \`${o.root}\` (not committed).`,
    '',
  );
  return lines.join('\n');
}

/**
 * The page's replication section (`--replicates <frontier.json>`): for each comparison both studies ran, per metric
 * the paired difference on the earlier seeds and on these, and the Welch interval of the change (consistent when it
 * includes 0).
 * @param {string} file
 * @param {Record<string, Record<number, Record<string, number>>>} byArm
 * @param {string[]} labels comparison labels `a − b`
 * @returns {Promise<string[]>}
 */
async function replicationSection(file, byArm, labels) {
  const earlier = JSON.parse(await readFile(file, 'utf8'));
  const lines = [
    '',
    `## Replication of ${file} (seeds ${earlier.seeds.join(', ')})`,
    '',
    'Per comparison and metric: the paired difference on the earlier seeds and on these (95 % intervals), and the',
    'Welch 95 % interval of (these − earlier): the sizes agree when it includes 0. The decisions drawn from each seed set',
    'are in docs/results.md.',
  ];
  for (const label of labels) {
    const [a, b] = label.split(' − ');
    if (!a || !b || !earlier.byArm?.[a] || !earlier.byArm?.[b] || !byArm[a] || !byArm[b]) continue;
    const t = replicationTable(earlier.byArm, byArm, a, b);
    const rows = Object.entries(t.rows);
    if (rows.length === 0) continue;
    const cell = (/** @type {{ mean: number, low: number, high: number }} */ d) =>
      `${signed(d.mean)} [${signed(d.low)}, ${signed(d.high)}]`;
    lines.push(
      '',
      `### ${label}`,
      '',
      `| metric | earlier (${t.originalSeeds.length} seeds) | these (${t.replicationSeeds.length} seeds) | these − earlier (Welch) | sizes agree |`,
      '| --- | --- | --- | --- | --- |',
      ...rows.map(
        ([m, r]) =>
          `| ${m} | ${cell(r.original)} | ${r.replication ? cell(r.replication) : '–'} | ${cell(r.shift)} | ${r.consistent ? 'yes' : '**no**'} |`,
      ),
    );
  }
  return lines;
}
