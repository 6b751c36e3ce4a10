import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../run-experiment.mjs';
import { frontierArms, frontierSignatures } from './design.mjs';
import { pairedDifferences } from './frontier-metrics.mjs';
import { FRONTIER_DEFAULT_ARMS, runFrontier } from './run-frontier.mjs';

describe('frontier design', () => {
  const arms = frontierArms({ targetEss: 0.6, roundStarts: ['restart', 'continue'] });

  it('OCRM and its re-draw differ only in the weights; round 1 is shared per roundStart', () => {
    type Overrides = { rewardModel: { seedPolicy: string }; weighting: unknown };
    const ocrm = arms.find((a) => a.key === 'ocrm-restart')!.overrides as Overrides;
    const redraw = arms.find((a) => a.key === 'redraw-restart')!.overrides as Overrides;
    expect({ ...ocrm, weighting: undefined }).toEqual({ ...redraw, weighting: undefined });
    expect(ocrm.rewardModel.seedPolicy).toBe('per-round');
    expect(redraw.weighting).toEqual({ ratioExponent: 0, targetEss: null });
    const sig = (key: string) => frontierSignatures(arms.find((a) => a.key === key)!);
    expect(sig('ocrm-restart')['ppo-1']).toBe(sig('iterated-restart')['ppo-1']);
    expect(sig('ocrm-restart')['ppo-1']).not.toBe(sig('ocrm-continue')['ppo-1']);
    expect(sig('rlhf')['ppo-1']).toBeUndefined();
    expect(sig('dpo')['rm-1']).toBeUndefined();
  });

  it('the full form runs OCRM and its re-draw under restart by default; an unknown arm is refused before any run', async () => {
    expect(FRONTIER_DEFAULT_ARMS.full).toEqual(['ocrm-restart', 'redraw-restart']);
    for (const key of FRONTIER_DEFAULT_ARMS.full ?? []) expect(arms.map((a) => a.key)).toContain(key);
    const root = join(tmpdir(), `ocrm-frontier-unknown-${process.pid}`);
    await expect(
      runFrontier({
        profile: 'full',
        variant: 'digest-head',
        targetEss: 0.3,
        roundStarts: ['restart'],
        arms: ['ocrm-continue'],
        root,
        docsDir: root,
        cli: 'unused',
      }),
    ).rejects.toThrow(/no arm ocrm-continue with these round starts \(ocrm-restart, .*all\)/);
    expect(existsSync(root)).toBe(false);
  });

  it('paired differences use the seeds both arms finished', () => {
    const d = pairedDifferences(
      {
        a: { 1: { gold: 0.5 }, 2: { gold: 0.7 }, 3: { gold: 0.9 } },
        b: { 1: { gold: 0.4 }, 2: { gold: 0.5 } },
      },
      'a',
      'b',
    );
    expect(d.seeds).toEqual([1, 2]);
    expect(d.differences.gold!.mean).toBeCloseTo(0.15, 12);
  });
});

const cli = new URL('../../../apps/reference/dist/bin.js', import.meta.url);

describe.runIf(existsSync(cli))('npm run experiment -- --study frontier --smoke (~20 s)', () => {
  it('runs the five arms of one seed sharing round 1 and writes frontier.md', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-frontier-'));
    try {
      const { markdown, failed } = await main([
        '--study',
        'frontier',
        '--smoke',
        '--out',
        join(dir, 'runs'),
        '--docs',
        dir,
      ]);
      expect(failed).toBe(0);
      expect(markdown).toContain('| OCRM (ESS/N 0.3), restart | 1 |');
      expect(markdown).toContain('| ocrm-restart − redraw-restart | 1 |');
      const metrics = await readFile(join(dir, 'runs', 's10', 'redraw-restart', 'metrics.jsonl'), 'utf8');
      expect(metrics).toContain('"stage-skip","stage":"ppo-1"');
      // …and the donor's run caches (the frozen backbone's RM features among them), without temporary files.
      const donorCache = await readdir(join(dir, 'runs', 's10', 'ocrm-restart', 'cache'));
      const cache = await readdir(join(dir, 'runs', 's10', 'redraw-restart', 'cache'));
      expect(donorCache).toContainEqual(expect.stringMatching(/^rm-features-[0-9a-f]{16}\.bin$/));
      expect(cache).toEqual(expect.arrayContaining(donorCache.filter((n) => !n.startsWith('.'))));
      expect(cache.filter((n) => n.startsWith('.'))).toEqual([]);
      const results = JSON.parse(await readFile(join(dir, 'runs', 'frontier.json'), 'utf8'));
      expect(Number.isFinite(results.byArm['ocrm-restart']['10'].finalGreedyGold)).toBe(true);
      // The frontier figure is written beside the page and linked from it.
      expect(markdown).toContain('](figures/frontier.svg)');
      expect(await readFile(join(dir, 'figures', 'frontier.svg'), 'utf8')).toMatch(/^<svg/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
