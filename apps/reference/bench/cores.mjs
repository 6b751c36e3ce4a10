#!/usr/bin/env node
/**
 * `npm run bench -w @ocrm/cli` (a benchmark, never a test): one `ocrm run` in one thread against the same run on all
 * cores — data-parallel workers for the training stages (`--workers n−1`) and shards for the data-parallel stages
 * (`--shards n`) — with the same micro-batches, so the two must give the same bytes (checked). Prints the machine, the
 * wall times, each stage's time and the ratio.
 *
 * Environment: `BENCH_PRESET` (default `quick`), `BENCH_CORES` (default: this machine's available parallelism),
 * `BENCH_MICRO` (the micro-batch rows of SFT, reward model and PPO; default 16), `BENCH_OUT` (default a temporary
 * folder, removed afterwards unless set).
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

console.log(machine());
console.log(`Preset ${preset}, micro-batches of ${micro} (SFT, reward model, PPO), ${cores} cores.`);
const one = run(join(out, 'one'), []);
const all = run(join(out, 'all'), ['--workers', String(cores - 1), '--shards', String(cores)]);
const files = [
  'sft/model/model.safetensors',
  'rm-1/model/model.safetensors',
  'ppo-1/policy/model.safetensors',
  'eval/results.json',
];
const differ = files.filter(
  (f) => !readFileSync(join(out, 'one', f)).equals(readFileSync(join(out, 'all', f))),
);
const fmt = (s) => `${s.toFixed(1)} s`;
console.log('| stage | one thread | all cores | ratio |');
console.log('| --- | --- | --- | --- |');
for (const stage of Object.keys(one.stages)) {
  const a = one.stages[stage];
  const b = all.stages[stage];
  if (typeof a === 'number' && typeof b === 'number')
    console.log(`| ${stage} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)}x |`);
}
console.log(
  `| **wall** | ${fmt(one.seconds)} | ${fmt(all.seconds)} | **${(one.seconds / all.seconds).toFixed(2)}x** |`,
);
console.log(differ.length === 0 ? `Same bytes: ${files.join(', ')}.` : `DIFFERENT: ${differ.join(', ')}`);
if (!process.env.BENCH_OUT) rmSync(out, { recursive: true, force: true });
if (differ.length > 0) process.exitCode = 1;
