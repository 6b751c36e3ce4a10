// END-TO-END (slow, ~1-2 min): SIGKILL the `ocrm` CLI at ≥ 10 seeded pseudo-random moments, resume each time, and
// require the end state to be byte-identical to an uninterrupted run. Needs the built CLI (turbo builds it first).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** mulberry32: a tiny seeded generator for the kill moments (test scaffolding, not the product's RNG). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** The outputs that must not depend on how often the run was killed. */
const OUTPUTS = [
  'sft/model/model.safetensors',
  'pairs/pairs.jsonl',
  'labels/pairs.jsonl',
  'rm-1/model/model.safetensors',
  'ppo-1/policy/model.safetensors',
  'ppo-1/curve.jsonl',
  'weights-2/weights.jsonl',
  'rm-2/model/model.safetensors',
  'ppo-2/policy/model.safetensors',
  'ppo-2/curve.jsonl',
  'eval/results.json',
];

describe.skipIf(!existsSync(BIN))(
  'e2e: fault injection — SIGKILL at random moments, resume, same bytes',
  () => {
    let dir = '';
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('ten or more kills at seeded random moments end byte-identical to an uninterrupted run', {
      timeout: 900_000,
    }, async () => {
      dir = await mkdtemp(join(tmpdir(), 'ocrm-faults-'));
      const config = join(dir, 'run.yaml');
      await writeFile(
        config,
        'preset: smoke\nmethod: ocrm\nrounds: 2\nsft:\n  checkpointEvery: 1\nppo:\n  totalUpdates: 3\n  checkpointEvery: 1\n',
      );
      const args = (out: string) => ['run', '--config', config, '--out', out, '--backend', 'wasm', '--quiet'];

      const clean = join(dir, 'clean');
      expect(await exited(cli(args(clean)))).toBe(0);

      const random = mulberry32(20261206);
      let kills = 0;
      // Fresh faulty runs until ten kills have landed: each run is killed at random moments and resumed until it ends,
      // then compared with the clean run (a fast machine may finish one run before ten kills).
      for (let run = 0; kills < 10 && run < 5; run++) {
        const faulty = join(dir, `faulty-${run}`);
        let finished = false;
        for (let attempt = 0; attempt < 60 && !finished; attempt++) {
          const child = cli(args(faulty));
          const done = exited(child);
          // Kill between 0.4 s and 2.5 s after the start (startup takes ~0.5 s), unless the run ends first.
          const delay = 400 + Math.floor(random() * 2100);
          const outcome = await Promise.race([done, new Promise((r) => setTimeout(() => r('kill'), delay))]);
          if (outcome === 'kill' && kills < 14) {
            child.kill('SIGKILL');
            await done;
            kills++;
            continue;
          }
          const code = outcome === 'kill' ? await done : outcome;
          expect(code).toBe(0);
          finished = existsSync(join(faulty, 'report', 'done'));
        }
        expect(finished).toBe(true);
        for (const file of OUTPUTS)
          expect(await sha(join(faulty, file)), file).toBe(await sha(join(clean, file)));
        // No step recorded twice in metrics.jsonl, whatever the kills interrupted.
        const records = (await readFile(join(faulty, 'metrics.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; stage?: string; step?: number });
        const steps = records.filter((r) => r.type === 'step-end').map((r) => `${r.stage}:${r.step}`);
        expect(new Set(steps).size).toBe(steps.length);
        expect(existsSync(join(faulty, '.lock'))).toBe(false);
      }
      expect(kills).toBeGreaterThanOrEqual(10);
    });
  },
);
