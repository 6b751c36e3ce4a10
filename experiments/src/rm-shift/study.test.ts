import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../run-experiment.mjs';
import { rmArms } from './design.mjs';

const cli = new URL('../../../apps/reference/dist/bin.js', import.meta.url);

// The rm-shift study in its smallest form (smoke preset, 1 seed, both variants): ~15 s on 2 cores.
describe.runIf(existsSync(cli))('npm run experiment -- --study rm-shift --smoke', () => {
  it('runs the base runs and the arms, shares SFT between variants and writes rm-shift.md', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-rm-shift-'));
    try {
      const args = ['--study', 'rm-shift', '--smoke', '--out', join(dir, 'runs'), '--docs', dir];
      const { markdown } = await main(args);
      expect(markdown).toContain('## Hypotheses and decision rules (fixed before the numbers)');
      expect(markdown).toContain('IW gain against the selection-effect controls');
      for (const variant of ['digest', 'digest-head']) {
        expect(markdown).toContain(`## \`${variant}\` (1 seeds: 0)`);
        for (const arm of rmArms('smoke')) {
          const file = join(dir, 'runs', 's0', variant, 'rm-shift', 'arms', `${arm.key}.json`);
          const result = JSON.parse(await readFile(file, 'utf8'));
          expect(result.test.accuracy).toBeGreaterThanOrEqual(0);
          expect(result.test.accuracy).toBeLessThanOrEqual(1);
        }
        const weighted = JSON.parse(
          await readFile(join(dir, 'runs', 's0', variant, 'rm-shift', 'arms', 'ess0.6-a0.1.json'), 'utf8'),
        );
        expect(Math.abs(weighted.essFraction - 0.6)).toBeLessThanOrEqual(0.01);
        const placebo = JSON.parse(
          await readFile(join(dir, 'runs', 's0', variant, 'rm-shift', 'arms', 'placebo-ess0.3.json'), 'utf8'),
        );
        expect(Math.abs(placebo.essFraction - 0.3)).toBeLessThanOrEqual(0.01); // the same weights, other pairs
        expect(weighted.lambda).toBeGreaterThan(0);
      }
      // The head variant samples its pairs at 1.0 and weighs them against it.
      const sums = JSON.parse(
        await readFile(join(dir, 'runs', 's0', 'digest-head', 'rm-shift', 'sums.json'), 'utf8'),
      );
      expect(sums.temperatures).toEqual({ policy: 0.7, sampler: 1 });
      const metrics = await readFile(join(dir, 'runs', 's0', 'digest-head', 'metrics.jsonl'), 'utf8');
      expect(metrics).toContain('"stage-skip","stage":"sft"');
      // A rerun resumes: nothing left to do, the same document.
      const again = await main(args);
      expect(again.markdown.split('\n').slice(6)).toEqual(markdown.split('\n').slice(6));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
