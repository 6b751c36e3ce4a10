import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, TUNED_LAMBDA } from './run-experiment.mjs';

const cli = new URL('../../apps/reference/dist/bin.js', import.meta.url);

// The harness in its smallest form (smoke preset, 1 seed, 2 arms sharing SFT, pairs, labels and RM-1): about a
// minute on 2 cores. It needs the built CLI (turbo builds the workspace's dependencies before `test`).
describe.runIf(existsSync(cli))('npm run experiment -- --smoke (slow: ~1 min)', () => {
  it('runs both arms, shares the first stages and writes the appendix results with its figures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-experiment-'));
    try {
      const { failed, markdown } = await main([
        '--smoke',
        '--out',
        join(dir, 'runs'),
        '--docs',
        join(dir, 'docs'),
      ]);
      expect(failed).toBe(0);
      expect(markdown).toContain('| standard RLHF | 1 |');
      expect(markdown).toMatch(/\| OCRM λ=[\d.]+ α=0\.1, KL prev, normalised \| 1 \|/);
      const svg = await readFile(join(dir, 'docs', 'figures', 'experiment-gold-vs-kl.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      // The OCRM arm copied the shared stages instead of redoing them.
      const metrics = await readFile(
        join(dir, 'runs', 's0', `ocrm-l${TUNED_LAMBDA}-a0.1-prev-norm`, 'metrics.jsonl'),
        'utf8',
      );
      expect(metrics).toContain('"stage-skip","stage":"sft"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
