import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../run-experiment.mjs';
import { frontierArms, frontierSignatures } from './design.mjs';
import { pairedDifferences } from './frontier-metrics.mjs';

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
      expect(markdown).toContain('| OCRM (ESS/N 0.6), restart | 1 |');
      expect(markdown).toContain('| ocrm-restart − redraw-restart | 1 |');
      const metrics = await readFile(join(dir, 'runs', 's10', 'redraw-restart', 'metrics.jsonl'), 'utf8');
      expect(metrics).toContain('"stage-skip","stage":"ppo-1"');
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
