// END-TO-END (slow, ~1 min): the `smoke` preset, OCRM with 2 rounds, every stage for real on tiny sizes.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonlAll } from '@ocrm/core';
import { getTask, loadTokenizer } from '@ocrm/data';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import type { PipelineEvent } from '../run/events';
import { runPipeline } from '../run/run-pipeline';

describe('e2e: smoke preset, OCRM, 2 rounds', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs every stage, marks each done, logs metrics and writes the report', {
    timeout: 600_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-smoke-'));
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'ocrm', rounds: 2 } });
    const events: PipelineEvent[] = [];
    const result = await runPipeline(config, { outDir: dir, onEvent: (e) => events.push(e) });

    const stages = [
      'sft',
      'pairs',
      'labels',
      'rm-1',
      'ppo-1',
      'weights-2',
      'rm-2',
      'ppo-2',
      'eval',
      'report',
    ];
    for (const stage of stages) expect(existsSync(join(dir, stage, 'done')), stage).toBe(true);
    for (const file of [
      'sft/model/config.json',
      'sft/model/model.safetensors',
      'pairs/pairs.jsonl',
      'labels/pairs.jsonl',
      'rm-1/model/config.json',
      'ppo-1/policy/model.safetensors',
      'ppo-1/curve.jsonl',
      'weights-2/weights.jsonl',
      'weights-2/diagnostics.json',
      'rm-2/model/model.safetensors',
      'ppo-2/policy/config.json',
      'eval/results.json',
      'report.html',
      'summary.json',
      'config.json',
      'metrics.jsonl',
      // Hub-ready model folders: the tokenizer files beside every saved model.
      'sft/model/tokenizer.json',
      'sft/model/tokenizer_config.json',
      'rm-2/model/special_tokens_map.json',
      'ppo-2/policy/tokenizer.json',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    // π_SFT's sums, the weights' denominator in every round, are kept for the next rounds (one file, every pair).
    const cached = await readdir(join(dir, 'cache'));
    expect(cached).toHaveLength(1);
    const sums = JSON.parse(await readFile(join(dir, 'cache', cached[0]!), 'utf8'));
    const labelled = await readJsonlAll(join(dir, 'labels/pairs.jsonl'));
    expect(sums.chosen).toHaveLength(labelled.length);
    const tokenizer = await loadTokenizer(join(dir, 'ppo-2/policy'));
    const task = await getTask(config.task.name, config.task.options);
    const words = task.tokenizer.decode(task.tokenizer.encode(task.trainPrompts[0]!.prompt));
    expect(tokenizer.encode(words)).toEqual(task.tokenizer.encode(words));
    const metrics = await readJsonlAll<{ type: string; stage?: string }>(join(dir, 'metrics.jsonl'));
    expect(metrics.filter((m) => m.type === 'stage-end').map((m) => m.stage)).toEqual(stages);
    expect(metrics.some((m) => m.type === 'step-end' && m.stage === 'ppo-2')).toBe(true);
    // roundStart continue (the default): ppo-2 is the second half of one schedule, started from ppo-1's final state.
    const n = Number(config.ppo.totalUpdates);
    const steps = (stage: string) =>
      metrics
        .filter((m) => m.type === 'step-end' && m.stage === stage)
        .map((m) => (m as { step?: number }).step);
    expect(steps('ppo-1')).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(steps('ppo-2')).toEqual(Array.from({ length: n }, (_, i) => n + i + 1));
    expect(JSON.parse(await readFile(join(dir, 'ppo-1/checkpoint/checkpoint.json'), 'utf8')).step).toBe(n);
    const curve2 = await readJsonlAll<{ update: number }>(join(dir, 'ppo-2/curve.jsonl'));
    expect(curve2.at(-1)?.update).toBe(n);
    expect(metrics.some((m) => m.type === 'eval-end' || (m.type === 'step-end' && m.stage === 'sft'))).toBe(
      true,
    );
    expect(events.at(-1)?.type).toBe('pipeline-end');

    const weights = await readJsonlAll<{ id: string; logWeight: number }>(
      join(dir, 'weights-2/weights.jsonl'),
    );
    const pairs = await readJsonlAll<{ id: string }>(join(dir, 'labels/pairs.jsonl'));
    expect(weights.map((w) => w.id)).toEqual(pairs.map((p) => p.id));
    expect(weights.every((w) => Number.isFinite(w.logWeight))).toBe(true);
    // The weights' SFT log-probs are taken at the pairs' sampling temperature (0.7 here): they reproduce the
    // log-probs recorded while sampling (a temperature mismatch would put this near 1 nat per response).
    const logProbs = JSON.parse(await readFile(join(dir, 'weights-2/details.json'), 'utf8'));
    expect(config.pairs.temperature).not.toBe(1);
    expect(logProbs.samplerDrift).toBeLessThan(1e-3);

    expect(result.rounds.map((r) => r.stage)).toEqual(['ppo-1', 'ppo-2']);
    for (const round of [result.sft, ...result.rounds]) {
      expect(Number.isFinite(round.gold)).toBe(true);
      expect(round.winRate).toBeGreaterThanOrEqual(0);
      expect(round.winRate).toBeLessThanOrEqual(1);
    }
    expect(result.rounds[1]!.essFraction).toBeGreaterThan(0);
    expect(result.rounds[0]!.rmAccuracyOnPolicy).toBeGreaterThanOrEqual(0);

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script[^>]+src=/);

    // A rerun finds every stage done and changes nothing.
    const again: PipelineEvent[] = [];
    await runPipeline(config, { outDir: dir, onEvent: (e) => again.push(e) });
    expect(again.filter((e) => e.type === 'stage-skip').length).toBe(stages.length);
  });

  it('WPO on the same labelled pairs: shared sft/pairs/labels folders are reused, dpo-style stages run', {
    timeout: 600_000,
  }, async () => {
    const wpoDir = join(dir, 'wpo');
    for (const stage of ['sft', 'pairs', 'labels'])
      await cp(join(dir, stage), join(wpoDir, stage), { recursive: true });
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'wpo' } });
    const events: PipelineEvent[] = [];
    const result = await runPipeline(config, { outDir: wpoDir, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'stage-skip').map((e) => (e as { stage: string }).stage)).toEqual([
      'sft',
      'pairs',
      'labels',
    ]);
    expect(existsSync(join(wpoDir, 'wpo', 'policy', 'model.safetensors'))).toBe(true);
    expect(result.rounds.map((r) => r.stage)).toEqual(['wpo']);
    expect(Number.isFinite(result.rounds[0]!.gold)).toBe(true);
    expect(result.rounds[0]!.proxy).toBeUndefined();
    const metrics = await readJsonlAll<{ type: string; stage?: string; metrics?: Record<string, number> }>(
      join(wpoDir, 'metrics.jsonl'),
    );
    expect(
      metrics.some(
        (m) => m.type === 'step-end' && m.stage === 'wpo' && Number.isFinite(m.metrics?.['wpo/weight_mean']),
      ),
    ).toBe(true);
  });
});
