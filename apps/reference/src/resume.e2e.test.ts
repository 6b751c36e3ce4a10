// END-TO-END (slow, ~2 min): SIGKILL the `ocrm` CLI mid-run, rerun it, and compare with an uninterrupted run.
// Needs the built CLI (turbo builds it before this package's tests).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true' },
  });
}

function finish(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

async function hashTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        out.set(
          relative(dir, path),
          createHash('sha256')
            .update(await readFile(path))
            .digest('hex'),
        );
    }
  };
  await walk(dir);
  return out;
}

async function waitFor(path: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!existsSync(path)) {
    if (child.exitCode !== null) throw new Error(`the run ended before ${path} appeared`);
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (process.env.CI && !existsSync(BIN))
  throw new Error(`${BIN} is missing: build the app first (turbo does in CI).`);

describe.skipIf(!existsSync(BIN))('e2e: a SIGKILLed run resumes to the same result', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps finished stages byte-identical and ends where an uninterrupted run ends', {
    timeout: 900_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-resume-'));
    const config = join(dir, 'run.yaml');
    await writeFile(
      config,
      'preset: smoke\nrounds: 1\nmethod: rlhf\nppo:\n  totalUpdates: 4\n  checkpointEvery: 1\n',
    );
    const args = (out: string) => ['run', '--config', config, '--out', out, '--backend', 'wasm', '--quiet'];

    // 1. Kill the run once PPO has written its first checkpoint (mid-stage).
    const killedDir = join(dir, 'killed');
    const first = cli(args(killedDir));
    const firstDone = finish(first);
    await waitFor(join(killedDir, 'ppo-1', 'checkpoint', 'checkpoint.json'), first, 600_000);
    first.kill('SIGKILL');
    await firstDone;
    expect(existsSync(join(killedDir, 'ppo-1', 'done'))).toBe(false);
    const finished = ['sft', 'pairs', 'labels', 'rm-1'];
    const before = new Map<string, Map<string, string>>();
    for (const stage of finished) {
      expect(existsSync(join(killedDir, stage, 'done')), stage).toBe(true);
      before.set(stage, await hashTree(join(killedDir, stage)));
    }
    const doneTimes = await Promise.all(
      finished.map(async (s) => (await stat(join(killedDir, s, 'done'))).mtimeMs),
    );

    // 2. Rerun the same command: finished stages are skipped (files unchanged), PPO continues from its checkpoint.
    const resumed = await finish(cli(args(killedDir)));
    expect(resumed.code, resumed.output).toBe(0);
    for (const [i, stage] of finished.entries()) {
      expect(await hashTree(join(killedDir, stage)), stage).toEqual(before.get(stage));
      expect((await stat(join(killedDir, stage, 'done'))).mtimeMs).toBe(doneTimes[i]);
    }
    const metrics = (await readFile(join(killedDir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.type === 'stage-skip').map((m) => m.stage)).toEqual(finished);

    // 3. An uninterrupted run ends with the same policy weights and the same evaluation.
    const cleanDir = join(dir, 'clean');
    const clean = await finish(cli(args(cleanDir)));
    expect(clean.code, clean.output).toBe(0);
    const weights = async (d: string) =>
      createHash('sha256')
        .update(await readFile(join(d, 'ppo-1', 'policy', 'model.safetensors')))
        .digest('hex');
    expect(await weights(killedDir)).toBe(await weights(cleanDir));
    const results = async (d: string) => JSON.parse(await readFile(join(d, 'eval', 'results.json'), 'utf8'));
    expect(await results(killedDir)).toEqual(await results(cleanDir));
    // Nothing twice: the resumed stage's records past its checkpoint were dropped before it ran them again.
    const steps = async (d: string) =>
      (await readFile(join(d, 'metrics.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((m) => m.type === 'step-end' && m.stage === 'ppo-1')
        .map((m) => m.step);
    expect(await steps(killedDir)).toEqual([1, 2, 3, 4]);
    expect(await readFile(join(killedDir, 'ppo-1', 'curve.jsonl'), 'utf8')).toBe(
      await readFile(join(cleanDir, 'ppo-1', 'curve.jsonl'), 'utf8'),
    );
  });

  it('Ctrl-C finishes the PPO update, saves it, says how to resume and exits 130', {
    timeout: 600_000,
  }, async () => {
    const config = join(dir, 'sigint.yaml');
    await writeFile(
      config,
      'preset: smoke\nrounds: 1\nmethod: rlhf\nppo:\n  totalUpdates: 6\n  checkpointEvery: 0\n',
    );
    const out = join(dir, 'sigint');
    const child = cli(['run', '--config', config, '--out', out, '--backend', 'wasm']);
    const done = finish(child);
    // Interrupt once PPO has finished its first update (a step-end of ppo-1 in metrics.jsonl).
    const metricsFile = join(out, 'metrics.jsonl');
    const start = Date.now();
    for (;;) {
      const text = existsSync(metricsFile) ? await readFile(metricsFile, 'utf8') : '';
      if (/"type":"step-end","stage":"ppo-1"/.test(text)) break;
      if (child.exitCode !== null || Date.now() - start > 600_000) throw new Error('PPO never took a step');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const { code, output } = await done;
    expect(code, output).toBe(130);
    expect(output).toMatch(/interrupted — finishing the current step/);
    expect(output).toMatch(/Resume with the same command/);
    expect(existsSync(join(out, 'ppo-1', 'done'))).toBe(false);
    expect(existsSync(join(out, 'ppo-1', 'checkpoint', 'checkpoint.json'))).toBe(true);
    const resumed = await finish(
      cli(['run', '--config', config, '--out', out, '--backend', 'wasm', '--quiet']),
    );
    expect(resumed.code, resumed.output).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});
