import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../run-experiment.mjs';
import { pairedSummary } from './analyze.mjs';
import { rmShiftReplication } from './replication.mjs';

const variant = (seeds: number[], headroom: number[], iwGain: number[]) => ({
  seeds,
  headroom: pairedSummary(headroom),
  iwGain: pairedSummary(iwGain),
});

describe('rm-shift replication on unseen seeds', () => {
  it('compares each decision quantity by a Welch interval over the per-seed differences', () => {
    const earlier = { seeds: [0, 1, 2], analysis: { head: variant([0, 1, 2], [1, 2, 3], [0.5, 0.5, 0.5]) } };
    const now = { head: variant([40, 41, 42], [-2, 0, 2], [0.5, 0.5, 0.5]), other: variant([40], [1], [1]) };
    const r = rmShiftReplication(earlier, now);
    expect(Object.keys(r)).toEqual(['head']); // a variant the earlier study lacks is left out
    const [headroom, iwGain] = r.head!.rows;
    expect(r.head!.originalSeeds).toEqual([0, 1, 2]);
    expect(r.head!.replicationSeeds).toEqual([40, 41, 42]);
    // these − earlier: means 0 − 2 = −2; se² = 4/3 + 1/3; df 2.94, t 3.2187 (scipy): −2 ± 4.155
    expect(headroom!.shift.mean).toBeCloseTo(-2, 12);
    expect(headroom!.shift.high).toBeCloseTo(-2 + 3.2187 * Math.sqrt(5 / 3), 2);
    expect(headroom!.consistent).toBe(true);
    // Equal constant gains: the shift is exactly 0.
    expect(iwGain!.shift).toEqual({ mean: 0, low: 0, high: 0, df: Number.POSITIVE_INFINITY });
    expect(iwGain!.consistent).toBe(true);
    // A size that moved beyond its noise is flagged.
    const moved = rmShiftReplication(earlier, { head: variant([40, 41, 42], [1, 2, 3], [0.6, 0.61, 0.59]) });
    expect(moved.head!.rows[1]!.consistent).toBe(false);
    expect(moved.head!.rows[1]!.shift.mean).toBeCloseTo(0.1, 12);
  });

  it('names the earlier file when it has no per-seed values', () => {
    const { values: _, ...old } = pairedSummary([1, 2, 3]);
    expect(() =>
      rmShiftReplication(
        { seeds: [0, 1, 2], analysis: { head: { seeds: [0, 1, 2], headroom: old } } },
        { head: variant([40, 41, 42], [1, 2, 3], [0, 0, 0]) },
        'runs/rm-shift-full/rm-shift.json',
      ),
    ).toThrow(/runs\/rm-shift-full\/rm-shift\.json: head\.headroom has no per-seed values.*--report-only/);
  });
});

const cli = fileURLToPath(new URL('../../../apps/reference/dist/bin.js', import.meta.url));

describe.runIf(existsSync(cli))('--replicates is checked before any run starts', () => {
  it('a missing file, a file of the other study and one without per-seed values fail at once, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-replicates-'));
    try {
      const out = join(dir, 'out');
      const run = (study: string, file: string) =>
        main(['--study', study, '--smoke', '--out', out, '--docs', dir, '--replicates', file]);
      await expect(run('rm-shift', join(dir, 'nope.json'))).rejects.toThrow(
        /--replicates .*nope\.json: cannot read it as JSON/,
      );
      const frontier = join(dir, 'frontier.json');
      await writeFile(frontier, JSON.stringify({ seeds: [10], byArm: {} }));
      await expect(run('rm-shift', frontier)).rejects.toThrow(/frontier\.json: not a rm-shift\.json/);
      const old = join(dir, 'rm-shift.json');
      const { values: _, ...headroom } = pairedSummary([0.1, 0.2]);
      await writeFile(
        old,
        JSON.stringify({ seeds: [0, 1], analysis: { 'digest-head': { seeds: [0, 1], headroom } } }),
      );
      await expect(run('rm-shift', old)).rejects.toThrow(
        /rm-shift\.json: digest-head\.headroom has no per-seed values/,
      );
      await expect(run('frontier', old)).rejects.toThrow(/not a frontier\.json/);
      expect(existsSync(out)).toBe(false); // nothing ran
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
