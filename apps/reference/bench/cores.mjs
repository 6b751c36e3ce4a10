#!/usr/bin/env node
/**
 * `npm run bench -w @ocrm/cli` (a benchmark, never a test): one `ocrm run` in one thread against the same run on all
 * cores — data-parallel workers for the training stages (`--workers n−1`) and shards for the data-parallel stages
 * (`--shards n`) — with the same micro-batches, so the two must give the same bytes (checked). Prints the machine, the
 * wall times, each stage's time and the ratio.
 *
 * A shared machine's speed drifts (±5-10 % between runs minutes apart on the 2-core VMs this was written on), so
 * `BENCH_PAIRS` > 1 repeats the pair, alternating which side runs first (one/all, all/one, …), and prints every
 * pair's ratio and their mean with a 95 % t-interval.
 *
 * Environment: `BENCH_PRESET` (default `quick`), `BENCH_CORES` (default: this machine's available parallelism),
 * `BENCH_MICRO` (the micro-batch rows of SFT, reward model and PPO; default 16), `BENCH_PAIRS` (default 1),
 * `BENCH_OUT` (default a temporary folder, removed afterwards unless set).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const preset = process.env.BENCH_PRESET ?? 'quick';
const cores = Number(process.env.BENCH_CORES ?? availableParallelism());
const micro = Number(process.env.BENCH_MICRO ?? 16);
const pairs = Number(process.env.BENCH_PAIRS ?? 1);
const out = process.env.BENCH_OUT ?? mkdtempSync(join(tmpdir(), 'ocrm-bench-cores-'));
const microFlags = ['sft', 'rewardModel', 'ppo'].flatMap((s) => ['--set', `${s}.microBatchSize=${micro}`]);

function machine() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown CPU';
  const all = new Set(/^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(/\s+/) ?? []);
  const flags = ['avx2', 'fma', 'avx512f'].filter((f) => all.has(f)).join(' ');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return `Machine: ${model}, ${availableParallelism()} cores, flags ${flags}; load ${loadavg()[0].toFixed(2)}; Node ${process.versions.node}; commit ${commit}.`;
}

/** Runs the preset into `dir` with `extra` flags; returns the wall seconds and the stage times of the summary. */
function run(dir, extra) {
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'run',
      '--preset',
      preset,
      '--out',
      dir,
      '--backend',
      'wasm',
      '--json',
      '--quiet',
      ...microFlags,
      ...extra,
    ],
    { encoding: 'utf8', env: { ...process.env, OCRM_WASM_THREADS: '1' } },
  );
  if (r.status !== 0) throw new Error(`ocrm run ${extra.join(' ')} failed:\n${r.stderr}`);
  const seconds = (performance.now() - started) / 1000;
  const summary = JSON.parse(r.stdout);
  return { seconds, stages: summary.stageSeconds };
}

/** Two-sided 95 % Student-t quantiles by degrees of freedom (1-10; 1.96 beyond). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
const files = [
  'sft/model/model.safetensors',
  'rm-1/model/model.safetensors',
  'ppo-1/policy/model.safetensors',
  'eval/results.json',
];
const fmt = (s) => `${s.toFixed(1)} s`;
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

console.log(machine());
console.log(
  `Preset ${preset}, micro-batches of ${micro} (SFT, reward model, PPO), ${cores} cores, ${pairs} pair(s).`,
);
const results = [];
let differ = [];
for (let p = 0; p < pairs; p++) {
  const dir = join(out, `pair-${p}`);
  const sides = {};
  const order = p % 2 === 0 ? ['one', 'all'] : ['all', 'one'];
  for (const side of order) {
    sides[side] = run(
      join(dir, side),
      side === 'one' ? [] : ['--workers', String(cores - 1), '--shards', String(cores)],
    );
  }
  const bad = files.filter(
    (f) => !readFileSync(join(dir, 'one', f)).equals(readFileSync(join(dir, 'all', f))),
  );
  differ = [...differ, ...bad.map((f) => `pair ${p}: ${f}`)];
  results.push(sides);
  console.log(
    `pair ${p + 1} (${order.join(' first, ')} second): one thread ${fmt(sides.one.seconds)}, all cores ${fmt(sides.all.seconds)}, ` +
      `${(sides.one.seconds / sides.all.seconds).toFixed(2)}x; load ${loadavg()[0].toFixed(2)}`,
  );
}
if (pairs > 1) console.log('Stage and wall times: medians over the pairs.');
console.log('| stage | one thread | all cores | ratio |');
console.log('| --- | --- | --- | --- |');
for (const stage of Object.keys(results[0].one.stages)) {
  const a = median(results.map((r) => r.one.stages[stage]).filter((x) => typeof x === 'number'));
  const b = median(results.map((r) => r.all.stages[stage]).filter((x) => typeof x === 'number'));
  if (Number.isFinite(a) && Number.isFinite(b))
    console.log(`| ${stage} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)}x |`);
}
const ratios = results.map((r) => r.one.seconds / r.all.seconds);
const a = median(results.map((r) => r.one.seconds));
const b = median(results.map((r) => r.all.seconds));
console.log(`| **wall** | ${fmt(a)} | ${fmt(b)} | **${(a / b).toFixed(2)}x** |`);
if (pairs > 1) {
  const mean = ratios.reduce((x, y) => x + y, 0) / pairs;
  const sd = Math.sqrt(ratios.reduce((x, y) => x + (y - mean) ** 2, 0) / (pairs - 1));
  const half = (T95[pairs - 2] ?? 1.96) * (sd / Math.sqrt(pairs));
  console.log(
    `Wall ratio per pair: ${ratios.map((r) => r.toFixed(2)).join(', ')}; mean ${mean.toFixed(2)}x ` +
      `[${(mean - half).toFixed(2)}, ${(mean + half).toFixed(2)}] (95 % t-interval).`,
  );
}
console.log(differ.length === 0 ? `Same bytes: ${files.join(', ')}.` : `DIFFERENT: ${differ.join(', ')}`);
if (!process.env.BENCH_OUT) rmSync(out, { recursive: true, force: true });
if (differ.length > 0) process.exitCode = 1;
