// END-TO-END (slow, ~1-2 min): the frontier study's smoke form through a real SLURM cluster (scripts/slurm-local.sh
// start; CI starts one), one job per arm and seed, against the local executor. Skipped when no cluster answers
// `sinfo`. Needs the built CLI (turbo builds the workspace first).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './run-experiment.mjs';

const cli = new URL('../../apps/reference/dist/bin.js', import.meta.url);

function clusterUp(): boolean {
  try {
    return /idle|mixed|allocated/.test(execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

const ARMS = ['ocrm-restart', 'redraw-restart', 'iterated-restart', 'rlhf', 'dpo'];

describe.runIf(existsSync(cli) && clusterUp())(
  'npm run experiment -- --study frontier --executor slurm',
  () => {
    let dir = '';
    const frontier = (root: string, ...extra: string[]) =>
      main(['--study', 'frontier', '--smoke', '--out', root, '--docs', join(root, 'docs'), ...extra]);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ocrm-study-slurm-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('runs every arm as a job that copies its shared stages, with the local executor’s numbers', async () => {
      const local = await frontier(join(dir, 'local'));
      expect(local.failed).toBe(0);
      const slurm = await frontier(join(dir, 'slurm'), '--executor', 'slurm', '--wait');
      expect(slurm.failed).toBe(0);
      const read = (root: string, ...path: string[]) => readFile(join(dir, root, ...path), 'utf8');
      expect(await read('slurm', 'frontier.json')).toBe(await read('local', 'frontier.json'));
      for (const arm of ARMS) {
        expect(await read('slurm', 's10', arm, 'eval', 'results.json')).toBe(
          await read('local', 's10', arm, 'eval', 'results.json'),
        );
      }
      // One job per arm, each with its log; the re-draw arm skipped the stages it copied.
      const jobs = JSON.parse(await read('slurm', 'slurm', 'jobs.json'));
      expect(Object.keys(jobs).sort()).toEqual(ARMS.map((a) => `${a}/s10`).sort());
      for (const { log } of Object.values(jobs) as { log: string }[]) expect(existsSync(log)).toBe(true);
      expect(await read('slurm', 's10', 'redraw-restart', 'metrics.jsonl')).toContain(
        '"stage-skip","stage":"ppo-1"',
      );
    });

    it('a rerun submits only the jobs whose runs did not finish, and they end as an uninterrupted study', async () => {
      const root = join(dir, 'slurm');
      const before = JSON.parse(await readFile(join(root, 'slurm', 'jobs.json'), 'utf8'));
      // Nothing missing: nothing is submitted, and the page is written at once.
      const again = await frontier(root, '--executor', 'slurm');
      expect(again.markdown).toContain('| ocrm-restart − redraw-restart | 1 |');
      expect(JSON.parse(await readFile(join(root, 'slurm', 'jobs.json'), 'utf8'))).toEqual(before);
      // An arm lost (a failed job's folder, or deleted): only it runs again.
      await rm(join(root, 's10', 'iterated-restart'), { recursive: true, force: true });
      const repaired = await frontier(root, '--executor', 'slurm', '--wait');
      expect(repaired.failed).toBe(0);
      const after = JSON.parse(await readFile(join(root, 'slurm', 'jobs.json'), 'utf8'));
      for (const arm of ARMS) {
        const key = `${arm}/s10`;
        if (arm === 'iterated-restart') expect(after[key].jobId).not.toBe(before[key].jobId);
        else expect(after[key]).toEqual(before[key]);
      }
      expect(await readFile(join(root, 'frontier.json'), 'utf8')).toBe(
        await readFile(join(dir, 'local', 'frontier.json'), 'utf8'),
      );
      expect(
        (await readdir(join(root, 'slurm'))).filter((n) => n.startsWith('iterated-restart__s10-')),
      ).toHaveLength(2);
    });

    it('rm-shift: the base runs and their reward-model workers as jobs give the local numbers', async () => {
      const rmShift = (root: string, ...extra: string[]) =>
        main(['--study', 'rm-shift', '--smoke', '--out', root, '--docs', join(root, 'docs'), ...extra]);
      await rmShift(join(dir, 'rm-local'));
      await rmShift(join(dir, 'rm-slurm'), '--executor', 'slurm', '--wait');
      const read = (root: string) => readFile(join(dir, root, 'rm-shift.json'), 'utf8');
      expect(await read('rm-slurm')).toBe(await read('rm-local'));
      const jobs = JSON.parse(await readFile(join(dir, 'rm-slurm', 'slurm', 'jobs.json'), 'utf8'));
      expect(Object.keys(jobs).sort()).toEqual([
        'arms:digest-head/s0',
        'arms:digest/s0',
        'digest-head/s0',
        'digest/s0',
      ]);
    });

    it('refuses the executor for the appendix experiment, which runs here only', async () => {
      await expect(main(['--smoke', '--executor', 'slurm'])).rejects.toThrow(
        /--executor slurm runs the studies/,
      );
    });
  },
);
