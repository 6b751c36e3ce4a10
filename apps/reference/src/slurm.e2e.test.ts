// END-TO-END (slow, ~1-2 min): the smoke preset through a real SLURM cluster (scripts/slurm-local.sh start; CI starts
// one), one job per stage. Skipped when no cluster answers `sinfo`. Needs the built CLI (turbo builds it first).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function clusterUp(): boolean {
  try {
    return /idle|mixed|allocated/.test(execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

/** Runs the built CLI to its end; resolves with its exit code and output. */
function ocrm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** summary.json without what differs between any two runs (their folders, timings, memory). */
async function stableSummary(dir: string): Promise<unknown> {
  const s = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
  for (const key of ['outDir', 'reportPath', 'stageSeconds', 'peakRssMiB']) delete s[key];
  return s;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocrm-slurm-'));
  dirs.push(dir);
  return dir;
}

describe.skipIf(!clusterUp())('e2e: ocrm run --executor slurm on the local one-node cluster', () => {
  it('the smoke preset through SLURM gives the local executor’s results', { timeout: 900_000 }, async () => {
    expect(existsSync(BIN), `${BIN} is missing: build the app first`).toBe(true);
    const root = await tempDir();
    const local = await ocrm(['run', '--preset', 'smoke', '--out', join(root, 'local'), '--quiet']);
    expect(local.code).toBe(0);
    const slurm = await ocrm([
      'run',
      '--preset',
      'smoke',
      '--out',
      join(root, 'slurm'),
      '--executor',
      'slurm',
      '--wait',
    ]);
    expect(slurm.code, slurm.stderr).toBe(0);
    expect(slurm.stderr).toMatch(/submitted sft +job \d+/);
    const a = await readFile(join(root, 'local', 'eval', 'results.json'));
    const b = await readFile(join(root, 'slurm', 'eval', 'results.json'));
    expect(b.equals(a)).toBe(true);
    expect(await stableSummary(join(root, 'slurm'))).toEqual(await stableSummary(join(root, 'local')));
    // Each stage ran in its own job, with its own log.
    expect(existsSync(join(root, 'slurm', 'slurm'))).toBe(true);
    // Rerunning submits nothing: every stage is done.
    const again = await ocrm([
      'run',
      '--preset',
      'smoke',
      '--out',
      join(root, 'slurm'),
      '--executor',
      'slurm',
    ]);
    expect(again.stderr).toMatch(/every stage of .* is done/);
  });

  it('cancelled jobs are resubmitted by the same command and the run ends as an uninterrupted one', {
    timeout: 900_000,
  }, async () => {
    const root = await tempDir();
    const out = join(root, 'run');
    const submitted = await ocrm([
      'run',
      '--preset',
      'smoke',
      '--out',
      out,
      '--executor',
      'slurm',
      '--json',
      '--quiet',
    ]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const { jobs } = JSON.parse(submitted.stdout) as { jobs: { stage: string; jobId: string }[] };
    // While the chain runs (its first job, SFT, takes seconds), the same command refuses to submit a second one.
    const early = await ocrm(['run', '--preset', 'smoke', '--out', out, '--executor', 'slurm']);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/still (PENDING|RUNNING|COMPLETING|CONFIGURING) in SLURM job/);
    // Cancel the chain from its third job on (what a lost node or an operator's scancel leaves behind).
    execFileSync(
      'scancel',
      jobs.slice(2).map((j) => j.jobId),
    );
    const active = (id: string) =>
      /JobState=(PENDING|RUNNING|COMPLETING|CONFIGURING)/.test(
        execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' }),
      );
    for (const job of jobs.slice(0, 2)) {
      while (active(job.jobId)) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const resumed = await ocrm(['run', '--preset', 'smoke', '--out', out, '--executor', 'slurm', '--wait']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const reference = await ocrm(['run', '--preset', 'smoke', '--out', join(root, 'local'), '--quiet']);
    expect(reference.code).toBe(0);
    const a = await readFile(join(root, 'local', 'eval', 'results.json'));
    const b = await readFile(join(out, 'eval', 'results.json'));
    expect(b.equals(a)).toBe(true);
  });

  it('a stage job SIGKILLed mid-stage is resubmitted by the same command and resumes from its checkpoint', {
    timeout: 900_000,
  }, async () => {
    const root = await tempDir();
    const config = join(root, 'run.yaml');
    // A longer SFT that checkpoints every step, so the kill lands inside it.
    // (And a per-kind time limit from the config's slurm section: SFT's job gets it, the others not.)
    await writeFile(
      config,
      'preset: smoke\nsft:\n  epochs: 4\n  checkpointEvery: 1\nslurm:\n  stages:\n    sft:\n      time: "0:30:00"\n',
    );
    const out = join(root, 'run');
    const submitted = await ocrm([
      'run',
      '--config',
      config,
      '--out',
      out,
      '--executor',
      'slurm',
      '--json',
      '--quiet',
    ]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const { jobs } = JSON.parse(submitted.stdout) as { jobs: { stage: string; jobId: string }[] };
    const sft = jobs[0]!;
    expect(sft.stage).toBe('sft');
    const limit = (id: string) =>
      /TimeLimit=(\S+)/.exec(execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' }))?.[1];
    expect(limit(sft.jobId)).toBe('00:30:00');
    expect(limit(jobs[1]!.jobId)).not.toBe('00:30:00');
    // Wait for a few SFT steps inside the job, then kill every process of the job without warning.
    const sftSteps = async () =>
      existsSync(join(out, 'metrics.jsonl'))
        ? ((await readFile(join(out, 'metrics.jsonl'), 'utf8')).match(/"step-end","stage":"sft"/g) ?? [])
            .length
        : 0;
    const t0 = Date.now();
    while ((await sftSteps()) < 5 && Date.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 100));
    execFileSync('scancel', ['--signal=KILL', '--full', sft.jobId]);
    const state = () => execFileSync('scontrol', ['show', 'job', '-o', sft.jobId], { encoding: 'utf8' });
    while (/JobState=(PENDING|RUNNING|COMPLETING|CONFIGURING)/.test(state()))
      await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(join(out, 'sft', 'done'))).toBe(false);
    expect(existsSync(join(out, 'sft', 'checkpoint'))).toBe(true);
    // The killed job's lock goes stale (10 s); then the same command resubmits the chain and SFT resumes.
    await new Promise((r) => setTimeout(r, 11_000));
    const resumed = await ocrm(['run', '--config', config, '--out', out, '--executor', 'slurm', '--wait']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // SFT started twice; the second time it went on from its checkpoint (no step recorded twice).
    const records = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; stage?: string; step?: number })
      .filter((r) => r.stage === 'sft');
    const starts = records.flatMap((r, i) => (r.type === 'run-start' ? [i] : []));
    expect(starts).toHaveLength(2);
    const firstAfter = records.slice(starts[1]).find((r) => r.type === 'step-end');
    expect(firstAfter!.step).toBeGreaterThan(5);
    const steps = records.filter((r) => r.type === 'step-end').map((r) => r.step);
    expect(new Set(steps).size).toBe(steps.length);
    const reference = await ocrm(['run', '--config', config, '--out', join(root, 'local'), '--quiet']);
    expect(reference.code).toBe(0);
    for (const file of ['sft/model/model.safetensors', 'eval/results.json']) {
      const a = await readFile(join(root, 'local', file));
      expect((await readFile(join(out, file))).equals(a), file).toBe(true);
    }
  });

  it('--shards n: pairs, labels, weights and eval as arrays of n jobs and merges, with the local results', {
    timeout: 900_000,
  }, async () => {
    const root = await tempDir();
    // Three passes: three sampling calls, one per shard.
    const set = ['--set', 'pairs.passes=3'];
    const local = await ocrm(['run', '--preset', 'smoke', ...set, '--out', join(root, 'local'), '--quiet']);
    expect(local.code, local.stderr).toBe(0);
    const out = join(root, 'sharded');
    const slurm = await ocrm([
      'run',
      '--preset',
      'smoke',
      ...set,
      '--out',
      out,
      '--executor',
      'slurm',
      '--shards',
      '3',
      '--wait',
    ]);
    expect(slurm.code, slurm.stderr).toBe(0);
    expect(slurm.stderr).toMatch(/submitted pairs\[shards\] job \d+/);
    for (const file of ['pairs/pairs.jsonl', 'eval/results.json']) {
      const a = await readFile(join(root, 'local', file));
      expect((await readFile(join(out, file))).equals(a), file).toBe(true);
    }
    const jobs = JSON.parse(await readFile(join(out, 'slurm', 'jobs.json'), 'utf8')) as { stage: string }[];
    expect(jobs.map((j) => j.stage).slice(0, 5)).toEqual([
      'sft',
      'pairs[shards]',
      'pairs',
      'labels[shards]',
      'labels',
    ]);
    expect(jobs.map((j) => j.stage)).toEqual(expect.arrayContaining(['weights-2[shards]', 'eval[shards]']));
    const w = await readFile(join(root, 'local', 'weights-2', 'weights.jsonl'));
    expect((await readFile(join(out, 'weights-2', 'weights.jsonl'))).equals(w)).toBe(true);
    for (const file of ['labels/pairs.jsonl', 'labels/stats.json']) {
      const a = await readFile(join(root, 'local', file));
      expect((await readFile(join(out, file))).equals(a), file).toBe(true);
    }
    // Every pairs shard was written by its array task (the merge sampled none itself); the labels' array tasks ran and
    // skipped (the digest judge is inexpensive: the merge scored whole).
    const logs = await readdir(join(out, 'slurm'));
    expect(logs.filter((n) => /^pairs-\d+_[0-2]\.log$/.test(n))).toHaveLength(3);
    expect(logs.filter((n) => /^labels-\d+_[0-2]\.log$/.test(n))).toHaveLength(3);
    const done = JSON.parse(await readFile(join(out, 'pairs', 'done'), 'utf8'));
    expect(done.summary['pairs/shards']).toBe(3);
    const merged = await readFile(join(out, 'metrics.jsonl'), 'utf8');
    expect(merged).not.toMatch(/"run-start","stage":"pairs"/);
  });

  it('a failed stage stops its dependants and names its job, log and stage', {
    timeout: 900_000,
  }, async () => {
    const root = await tempDir();
    const module = join(root, 'weighting.mjs');
    await writeFile(
      module,
      "export default { specificationVersion: 'v1', name: 'w', weigh: () => { throw new Error('boom'); } };\n",
    );
    const out = join(root, 'run');
    // The weighting rule throws when called: weights-2 fails inside its job, after five stages completed.
    const waited = await ocrm([
      'run',
      '--preset',
      'smoke',
      '--out',
      out,
      '--executor',
      'slurm',
      '--wait',
      '--set',
      `weighting.module="${module}"`,
    ]);
    expect(waited.code).toBe(1);
    const failure =
      /stage weights-2 failed: job (\d+) ended FAILED.*its log: (\S+)\.log\. Cancelled the 4 dependent job/.exec(
        waited.stderr,
      );
    expect(failure, waited.stderr).not.toBeNull();
    expect(await readFile(`${failure![2]}.log`, 'utf8')).toMatch(/boom/);
    expect(existsSync(join(out, 'ppo-1', 'done'))).toBe(true);
    expect(existsSync(join(out, 'weights-2', 'done'))).toBe(false);
    expect(existsSync(join(out, 'rm-2'))).toBe(false);
  });
});

describe('ocrm run --executor slurm without SLURM', () => {
  let path: string | undefined;
  let stderr = '';
  beforeEach(() => {
    path = process.env.PATH;
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    process.env.PATH = path;
    vi.restoreAllMocks();
  });

  it('a missing sbatch is bad input (exit 2) with what to do', async () => {
    const out = join(await tempDir(), 'run');
    process.env.PATH = '/nonexistent';
    expect(
      await main(['node', 'ocrm', 'run', '--preset', 'smoke', '--out', out, '--executor', 'slurm']),
    ).toBe(2);
    expect(stderr).toMatch(/`sbatch` was not found[\s\S]*slurm-local\.sh start/);
  });
});
