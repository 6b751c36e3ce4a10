// END-TO-END (slow, ~1.5 min): OCRM and DPO on pairs from a preference dataset (TRL layout) instead of SFT samples,
// among them the shipped TL;DR comparisons (fixtures/data/tldr-judged, licence in its SOURCE.txt).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonlAll } from '@ocrm/core';
import { getTask } from '@ocrm/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { runPipeline, runPipelineStages } from '../run/run-pipeline';

describe('e2e: a preference dataset as the pairs', () => {
  let dir = '';
  let dataset = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(fileURLToPath(new URL('../..', import.meta.url)), '.tmp-prefs-'));
    // A dataset in TRL's layout over the smoke task's vocabulary: demonstrations preferred to another prompt's.
    const config = resolvePipelineConfig({ preset: 'smoke' });
    const task = await getTask(config.task.name, config.task.options);
    const demos = task.sftTrain.slice(0, 60);
    const records = demos.map((d, i) => ({
      id: `d${i}`,
      prompt: d.prompt,
      chosen: d.response,
      rejected: demos[(i + 7) % demos.length]!.response,
    }));
    dataset = join(dir, 'prefs.jsonl');
    await writeFile(dataset, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('OCRM keeps the dataset’s labels and weighs toward π_{k−1} with π_SFT as the denominator', {
    timeout: 600_000,
  }, async () => {
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: {
        method: 'ocrm',
        rounds: 2,
        pairs: { dataset: { path: dataset, format: 'trl', limit: 50 }, temperature: 1 },
        labels: { source: 'dataset' },
        weighting: { ratioExponent: 0.5 },
      },
    });
    const out = join(dir, 'ocrm');
    await runPipeline(config, { outDir: out });
    const pairs = await readJsonlAll<{ id: string; samplerTemperature?: number }>(
      join(out, 'pairs', 'pairs.jsonl'),
    );
    expect(pairs.map((p) => p.id)).toEqual(Array.from({ length: 50 }, (_, i) => `d${i}`));
    expect(pairs.every((p) => p.samplerTemperature === undefined)).toBe(true);
    const labelled = await readJsonlAll<{ id: string; goldChosen: number; goldRejected: number }>(
      join(out, 'labels', 'pairs.jsonl'),
    );
    const heldout = await readJsonlAll<{ id: string }>(join(out, 'labels', 'heldout.jsonl'));
    expect(labelled.length + heldout.length).toBe(50);
    expect(labelled.every((p) => p.goldChosen === 1 && p.goldRejected === 0)).toBe(true);
    const details = JSON.parse(await readFile(join(out, 'weights-2', 'details.json'), 'utf8'));
    expect(details.temperatures).toEqual({ policy: 0.7, sampler: 1 });
    expect(details.samplerDrift).toBeNull();
    const weights = await readJsonlAll<{ logWeight: number }>(join(out, 'weights-2', 'weights.jsonl'));
    expect(weights).toHaveLength(labelled.length);
    expect(new Set(weights.map((w) => w.logWeight)).size).toBeGreaterThan(1);
    expect(existsSync(join(out, 'eval', 'done'))).toBe(true);

    // Once the pairs are in the run, a rerun (or a SLURM stage job) does not read the dataset again: it may be gone.
    await rename(dataset, `${dataset}.away`);
    try {
      const events: string[] = [];
      await runPipeline(config, { outDir: out, onEvent: (e) => events.push(e.type) });
      expect(events.filter((t) => t === 'stage-start')).toEqual([]);
    } finally {
      await rename(`${dataset}.away`, dataset);
    }
  });

  it('OCRM on real TL;DR comparisons (the shipped fixture, GPT-NeoX tokenizer): RM on the dataset, weights to π_1', {
    timeout: 900_000,
  }, async () => {
    const fixture = fileURLToPath(
      new URL('../../../../fixtures/data/tldr-judged/pairs.derived-slice.jsonl', import.meta.url),
    );
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: {
        method: 'ocrm',
        rounds: 2,
        // Short prompts and small micro-batches keep the 50k-vocabulary logits inside the wasm heap.
        task: {
          name: 'tldr-mini',
          options: { numEval: 8, numTrain: 16, maxPromptTokens: 96, maxResponseTokens: 24 },
        },
        sft: { epochs: 1, batchSize: 16, microBatchSize: 2, learningRate: 2e-3 },
        rewardModel: { microBatchSize: 4 },
        ppo: { microBatchSize: 4 },
        pairs: { temperature: 1, dataset: { path: fixture, format: 'trl' } },
        labels: { source: 'dataset' },
        weighting: { ratioExponent: 0.5 },
      },
    });
    const out = join(dir, 'tldr');
    await runPipeline(config, { outDir: out });
    const pairs = await readJsonlAll<{ prompt: string }>(join(out, 'pairs', 'pairs.jsonl'));
    expect(pairs).toHaveLength(30);
    expect(pairs[0]!.prompt.startsWith('SUBREDDIT: r/')).toBe(true);
    const rm = JSON.parse(await readFile(join(out, 'rm-2', 'result.json'), 'utf8'));
    expect(rm['rm/heldout_accuracy']).toBeGreaterThanOrEqual(0);
    const weights = await readJsonlAll<{ logWeight: number }>(join(out, 'weights-2', 'weights.jsonl'));
    expect(weights.every((w) => Number.isFinite(w.logWeight))).toBe(true);
    expect(new Set(weights.map((w) => w.logWeight)).size).toBeGreaterThan(1);
    expect(existsSync(join(out, 'report', 'done'))).toBe(true);
  });

  it('pairs exported with their behaviour density come back with it: the weights divide at that temperature', {
    timeout: 600_000,
  }, async () => {
    // Sample pairs with the smoke preset's SFT, export them as a TRL dataset that carries the behaviour fields.
    const first = join(dir, 'sampled');
    const base = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'ocrm', rounds: 2 } });
    await runPipelineStages(base, { outDir: first, only: ['sft', 'pairs'] });
    const sampled = await readJsonlAll<Record<string, unknown>>(join(first, 'pairs', 'pairs.jsonl'));
    const exported = join(dir, 'exported.jsonl');
    const fields = [
      'id',
      'prompt',
      'chosen',
      'rejected',
      'logpSamplerChosen',
      'logpSamplerRejected',
      'samplerTemperature',
    ];
    await writeFile(
      exported,
      `${sampled.map((p) => JSON.stringify(Object.fromEntries(fields.map((f) => [f, p[f]])))).join('\n')}\n`,
    );
    // The same SFT (same preset and seed) re-reads them: the recorded densities match its own to float32 rounding.
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { method: 'ocrm', rounds: 2, pairs: { dataset: { path: exported } } },
    });
    const out = join(dir, 'round-trip');
    await runPipeline(config, { outDir: out });
    const details = JSON.parse(await readFile(join(out, 'weights-2', 'details.json'), 'utf8'));
    expect(details.temperatures.sampler).toBe(sampled[0]!.samplerTemperature);
    expect(details.samplerDrift).toBeLessThan(1e-3);
  });

  it('the gold judge relabels the dataset’s pairs unless told to keep them; DPO trains on them', {
    timeout: 600_000,
  }, async () => {
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { method: 'dpo', pairs: { dataset: { path: dataset, format: 'trl', limit: 50 } } },
    });
    const out = join(dir, 'dpo');
    await runPipeline(config, { outDir: out });
    const stats = JSON.parse(await readFile(join(out, 'labels', 'stats.json'), 'utf8'));
    expect(stats.n).toBe(50);
    expect(existsSync(join(out, 'dpo', 'done'))).toBe(true);
  });

  it('a bad dataset stops the run before its folder exists, naming file, line and field', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(
      bad,
      `${JSON.stringify({ prompt: 'a', chosen: ' b', rejected: ' c' })}\n${JSON.stringify({ prompt: 'a' })}\n`,
    );
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { pairs: { dataset: { path: bad } } },
    });
    const out = join(dir, 'bad-run');
    await expect(runPipeline(config, { outDir: out })).rejects.toThrow(/bad\.jsonl.*2.*chosen/s);
    expect(existsSync(out)).toBe(false);
  });

  it('labels.source dataset without pairs.dataset is a config error', () => {
    expect(() =>
      resolvePipelineConfig({ preset: 'smoke', overrides: { labels: { source: 'dataset' } } }),
    ).toThrow(/labels\.source/);
  });
});
