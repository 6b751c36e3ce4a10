// @ts-check
/**
 * Writes `docs/results-appendix-3-seeds.md` (the first OCRM-vs-RLHF experiment, an appendix of docs/results.md: table, figures, command, seeds, machine, wall time) and `docs/figures/*.svg`.
 * A hand-written discussion in `experiments/notes.md`, when present, is included verbatim, so rerunning the
 * harness refreshes the numbers without losing the interpretation (which must then be re-read against them).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, relative } from 'node:path';
import { aggregate } from './collect.mjs';
import { goldVsKlSpec, proxyGoldSpec, renderSvg, sweepSpec } from './figures.mjs';

/** @typedef {import('./collect.mjs').JobMetrics} JobMetrics */

/** The file this harness writes in the docs folder. */
export const RESULTS_FILE = 'results-appendix-3-seeds.md';

/** The protocol every arm of this experiment used (docs/algorithm.md names each option). */
export const APPENDIX_PROTOCOL =
  'Protocol of every arm (ours, the `quick` preset; not the authors’): pairs sampled and weighed at T 0.7 (PPO’s ' +
  'temperature), `roundStart: continue` (later rounds continue one PPO schedule with the critic and AdamW state; the ' +
  '`roundStart` ablation also runs `restart`, the official round start, and `continue-fresh-critic`), ' +
  '`rewardModel.seedPolicy: per-round` (each RM-k an independent re-draw; the official code reuses RM-1’s seed), ' +
  'fixed λ, score at the EOS, no PPO weight decay, 2 rounds, evaluation at T 0.7 with one sample per prompt.';

/** @param {import('@ocrm/eval').MeanInterval | undefined} s @param {number} [digits] */
export function cell(s, digits = 3) {
  if (!s || !Number.isFinite(s.mean)) return '–';
  const m = s.mean.toFixed(digits);
  return Number.isFinite(s.halfWidth) ? `${m} ± ${s.halfWidth.toFixed(digits)}` : m;
}

/**
 * "52.9 min for 47 runs" (or, with the ablation timed apart, "… then 6.1 min for its 3 runs").
 * @param {number} seconds
 * @param {readonly JobMetrics[]} jobs
 * @param {number | undefined} ablationSeconds
 */
export function wallTime(seconds, jobs, ablationSeconds) {
  const ablation = jobs.filter((j) => j.group === 'ablation').length;
  if (ablationSeconds === undefined || !ablation)
    return `${(seconds / 60).toFixed(1)} min for ${jobs.length} runs`;
  return (
    `${(seconds / 60).toFixed(1)} min for the ${jobs.length - ablation} runs of \`npm run experiment\`, then ` +
    `${(ablationSeconds / 60).toFixed(1)} min for the ${ablation} runs of the \`roundStart\` ablation ` +
    '(`-- --ablation`, resuming the same run folder)'
  );
}

/**
 * @param {{ jobs: readonly JobMetrics[], docsDir: string, notesFile?: string, command: string, profile: string,
 *   seeds: readonly number[], wallSeconds: number, ablationWallSeconds?: number, preset: string,
 *   baseConfig: Record<string, unknown>, extra?: string }} o `ablationWallSeconds`: when the ablation ran as a
 *   second invocation (`--ablation` resuming the same folder), its wall time; `wallSeconds` is then the first's.
 * @returns {Promise<string>} the markdown written
 */
export async function writeResults(o) {
  const figuresDir = join(o.docsDir, 'figures');
  await mkdir(figuresDir, { recursive: true });
  const prefix = 'experiment';
  const main = o.jobs.filter((j) => j.group === 'main' && j.ok);
  const sweep = o.jobs.filter((j) => j.group === 'sweep' && j.ok);
  /** @type {string[]} */
  const figures = [];
  const save = async (/** @type {string} */ name, /** @type {any} */ spec, /** @type {string} */ caption) => {
    const file = join(figuresDir, `${prefix}-${name}.svg`);
    await writeFile(file, await renderSvg(spec));
    figures.push(`![${caption}](${relative(o.docsDir, file)})\n\n*${caption}*`);
  };
  if (main.length) {
    await save(
      'gold-vs-kl',
      goldVsKlSpec(main, 'Gold vs KL to SFT along PPO, every arm and seed'),
      'Gold score against KL to SFT along PPO (lines: PPO arms, rounds concatenated; diamonds: DPO/WPO final; square: SFT).',
    );
    const rlhf = main.filter((j) => j.arm === 'rlhf' || j.arm === 'iterated-prev');
    if (rlhf.length)
      await save(
        'proxy-gold',
        proxyGoldSpec(rlhf, 'Proxy vs gold along PPO'),
        'Proxy (RM) score and gold score along PPO for standard RLHF and the iterated loop: the overoptimization picture.',
      );
  }
  if (sweep.length)
    await save(
      'sweep',
      sweepSpec([
        ...sweep,
        ...main.filter(
          (j) => j.arm.startsWith('ocrm-') && j.arm.endsWith('-prev-norm') && j.seed === sweep[0]?.seed,
        ),
      ]),
      'λ × α sweep: ESS/N of the round-2 weights, RM-2 accuracy on pairs from policy 1, final gold.',
    );

  const rows = aggregate(o.jobs).filter((a) => a.group === 'main');
  const header = `| arm | n | final gold | gold at matched KL (K) | peak gold (KL) | win rate vs ref | KL to SFT | proxy | RM acc on-policy r1 | r2 | RM-2 acc on policy-1 pairs | RM acc SFT pairs r1 | r2 | ESS/N r2 |`;
  const sep = `|${' --- |'.repeat(14)}`;
  const lines = rows.map((a) => {
    const s = a.stats;
    const peak = s.peakGold ? `${cell(s.peakGold)} (${cell(s.peakGoldKl, 1)})` : '–';
    return `| ${a.label} | ${a.n} | ${cell(s.gold)} | ${cell(s.goldAtMatchedKl)} (${cell(s.matchedKl, 1)}) | ${peak} | ${cell(s.winRate)} | ${cell(s.kl, 2)} | ${cell(s.proxy, 2)} | ${cell(s['rmAccOnPolicy/1'])} | ${cell(s['rmAccOnPolicy/2'])} | ${cell(s['rmAccStart/2'])} | ${cell(s['rmAccSft/1'])} | ${cell(s['rmAccSft/2'])} | ${cell(s['ess/2'])} |`;
  });
  const sweepRows = aggregate(o.jobs)
    .filter((a) => a.group === 'sweep' || (a.arm.endsWith('-prev-norm') && sweep.length > 0))
    .map((a) => {
      const s = a.stats;
      return `| ${a.label} | ${cell(s['ess/2'])} | ${cell(s['rmAccStart/2'])} | ${cell(s['rmAccOnPolicy/2'])} | ${cell(s.gold)} | ${cell(s.kl, 2)} |`;
    });
  // The roundStart ablation: its arms beside the main arms they vary, on the same seed.
  const ablation = o.jobs.filter((j) => j.group === 'ablation' && j.ok);
  const ablationSeed = ablation[0]?.seed;
  const varied = new Set(ablation.map((j) => j.arm.replace(/-(restart|fresh-critic)$/, '')));
  const ablationRows = aggregate(
    o.jobs.filter(
      (j) =>
        j.seed === ablationSeed &&
        (j.group === 'ablation' || (j.group === 'main' && (varied.has(j.arm) || j.arm === 'rlhf'))),
    ),
  ).map((a) => {
    const s = a.stats;
    const peak = s.peakGold ? `${cell(s.peakGold)} (${cell(s.peakGoldKl, 1)})` : '–';
    return `| ${a.label} | ${cell(s.gold)} | ${peak} | ${cell(s.kl, 2)} | ${cell(s.proxy, 2)} | ${cell(s['rmAccOnPolicy/2'])} |`;
  });
  const sftGold = rows[0]?.stats.sftGold;
  const missing = o.jobs.filter((j) => !j.ok).map((j) => j.id);
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, tfjs-wasm (one core per process), load average at the end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')}`;
  const evalConfig = /** @type {any} */ (o.baseConfig)?.eval ?? {};
  const evalT = Number(evalConfig.temperature ?? 0);
  const how = evalT === 0 ? 'argmax' : `sampled at T ${evalT}`;
  const notes = o.notesFile && existsSync(o.notesFile) ? await readFile(o.notesFile, 'utf8') : '';
  const md = [
    '# Appendix: the first OCRM-vs-RLHF experiment (3 seeds, our protocol)',
    '',
    'An appendix of [results.md](results.md): this design could not test OCRM’s mechanism (see there).',
    '',
    APPENDIX_PROTOCOL,
    '',
    `Generated by \`${o.command}\` (profile \`${o.profile}\`, preset \`${o.preset}\`). Do not edit the numbers by hand: rerun the command.`,
    '',
    `- Seeds: ${o.seeds.join(', ')}${sweep.length ? `; sweep on seed ${sweep[0]?.seed}` : ''}.`,
    `- Machine: ${machine}.`,
    `- Wall time: ${wallTime(o.wallSeconds, o.jobs, o.ablationWallSeconds)}, two processes in parallel; SFT, pairs, labels and RM-1 shared by the arms of a seed, PPO round 1 shared by the iterated and OCRM arms.${missing.length ? ` Not finished (killed or failed; left out of the tables): ${missing.join(', ')}.` : ''}`,
    `- SFT gold (${how}, eval prompts): ${cell(sftGold)}.`,
    '',
    '## Main table',
    '',
    `Mean ± 95 % t-interval half-width over seeds (no interval with one seed). Final = the last round's policy on ${evalConfig.prompts ?? '?'} held-out prompts, one response per prompt ${how}. "gold at matched KL (K)": per seed, K = the smallest of the PPO arms' largest KL to SFT along their curves; each arm's gold where its curve (the same prompts and sampling; KL on the first ${evalConfig.klPrompts ?? '?'} prompts at T 0.7, noisy) first reaches K — arms compared at matched KL. "RM acc on-policy rk": accuracy against gold labels of round k's RM on fresh pairs from the policy PPO reached with it (ties excluded). "RM-2 acc on policy-1 pairs": RM-2 on pairs from the policy it was re-weighted for (the quantity OCRM is meant to improve; compare with RM-1 on the same pairs = "RM acc on-policy r1").`,
    '',
    header,
    sep,
    ...lines,
    '',
    ...(sweepRows.length
      ? [
          '## λ × α sweep',
          '',
          '| arm | ESS/N r2 | RM-2 acc on policy-1 pairs | RM-2 acc on policy-2 pairs | final gold | KL to SFT |',
          `|${' --- |'.repeat(6)}`,
          ...sweepRows,
          '',
        ]
      : []),
    ...(ablation.length
      ? [
          `## How later PPO rounds start (\`roundStart\`, seed ${ablationSeed})`,
          '',
          "The main arms continue one PPO run across the rounds (`continue`: critic, AdamW moments, learning-rate schedule and prompt order carried; only the RM and KL reference change). Here the same arms with every round restarted (`restart`: critic from the round's RM, new AdamW, learning rate back at its peak), and OCRM continued with a fresh critic from RM-2 (`continue-fresh-critic`), beside the continued arms and standard RLHF of the same seed.",
          '',
          '| arm | final gold | peak gold (KL) | KL to SFT | proxy | RM acc on-policy r2 |',
          `|${' --- |'.repeat(6)}`,
          ...ablationRows,
          '',
        ]
      : []),
    '## Figures',
    '',
    ...figures.flatMap((f) => [f, '']),
    ...(o.extra ? [o.extra, ''] : []),
    '## Configuration',
    '',
    '```json',
    JSON.stringify(o.baseConfig, null, 2),
    '```',
    '',
    ...(notes ? [notes.trim(), ''] : []),
  ].join('\n');
  await writeFile(join(o.docsDir, RESULTS_FILE), md);
  return md;
}
