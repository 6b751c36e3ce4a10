// END-TO-END (slow, ~10 s): the SFT trainer and the pair sampler swapped, from code and from config modules.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PairSampler } from '@ocrm/core';
import { readJsonlAll, SPECIFICATION_VERSION } from '@ocrm/core';
import { temperaturePairSampler } from '@ocrm/data';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { runPipeline } from '../run/run-pipeline';

describe('e2e: SFT and pair sampling are stages of their own', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a pair sampler from code: its behaviour temperature reaches the pairs and the OCRM weights', {
    timeout: 600_000,
  }, async () => {
    const dir = await mkdtemp(join(fileURLToPath(new URL('../..', import.meta.url)), '.tmp-modules-'));
    dirs.push(dir);
    const base = temperaturePairSampler({ temperature: 1.3 });
    let calls = 0;
    const sampler: PairSampler = {
      specificationVersion: SPECIFICATION_VERSION,
      name: 'counting',
      sample: (run) => {
        calls++;
        return base.sample(run);
      },
    };
    // The SFT trainer from a config module (a factory of the `sft` section).
    const sftFile = join(dir, 'sft.mjs');
    await writeFile(
      sftFile,
      `import { sftTrainer } from '@ocrm/policy';
       export default (section) => ({ ...sftTrainer({ epochs: 1, batchSize: section.batchSize, learningRate: 1e-3 }), name: 'sft-from-module' });`,
    );
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { method: 'ocrm', rounds: 2, sft: { module: sftFile, batchSize: 32 } },
    });
    const out = join(dir, 'run');
    await runPipeline(config, { outDir: out, stages: { pairSampler: sampler } });
    expect(calls).toBe(1);
    const pairs = await readJsonlAll<{ samplerTemperature: number }>(join(out, 'pairs', 'pairs.jsonl'));
    expect(pairs.every((p) => p.samplerTemperature === 1.3)).toBe(true);
    const logProbs = JSON.parse(await readFile(join(out, 'weights-2', 'details.json'), 'utf8'));
    expect(logProbs.temperatures).toEqual({ policy: 0.7, sampler: 1.3 });
    // The recomputed SFT densities match the sampler's records (the density the weights divide by is the behaviour's).
    expect(logProbs.samplerDrift).toBeLessThan(1e-3);
    const fingerprint = JSON.parse(await readFile(join(out, 'sft', 'fingerprint.json'), 'utf8'));
    expect(fingerprint.config.sft.module).toBe(sftFile);
  });
});
