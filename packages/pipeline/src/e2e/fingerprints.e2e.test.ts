// END-TO-END (~10 s): a rerun with a changed config keeps every stage whose inputs are unchanged.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import type { PipelineEvent } from '../run/events';
import { stageFingerprints } from '../run/fingerprints';
import { runPipeline } from '../run/run-pipeline';
import { summarizeRun } from '../run/summarize';

const kinds = (events: PipelineEvent[], type: string) =>
  events.filter((e) => e.type === type).map((e) => (e as { stage: string }).stage);

describe('e2e: stage fingerprints', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a changed PPO field reruns PPO and what follows, keeps SFT, pairs, labels and RM-1; --force redoes all', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-fp-'));
    const base = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'ocrm', rounds: 2 } });
    await runPipeline(base, { outDir: dir });
    const rm1 = await readFile(join(dir, 'rm-1/model/model.safetensors'));

    const changed = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { method: 'ocrm', rounds: 2, ppo: { klCoef: 0.2 } },
    });
    const events: PipelineEvent[] = [];
    await runPipeline(changed, { outDir: dir, onEvent: (e) => events.push(e) });
    expect(kinds(events, 'stage-skip')).toEqual(['sft', 'pairs', 'labels', 'rm-1']);
    expect(kinds(events, 'stage-start')).toEqual(['ppo-1', 'weights-2', 'rm-2', 'ppo-2', 'eval', 'report']);
    const reasons = Object.fromEntries(
      events.flatMap((e) => (e.type === 'stage-rerun' ? [[e.stage, e.reason]] : [])),
    );
    expect(reasons['ppo-1']).toBe('changed: ppo.klCoef');
    expect(reasons['weights-2']).toBe('its input ppo-1 changed');
    expect((await readFile(join(dir, 'rm-1/model/model.safetensors'))).equals(rm1)).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).ppo.klCoef).toBe(0.2);
    const recorded = JSON.parse(await readFile(join(dir, 'ppo-2/fingerprint.json'), 'utf8'));
    expect(recorded.hash).toBe(stageFingerprints(changed).get('ppo-2')!.hash);

    // Only the evaluation's own options changed: only eval and report rerun.
    const evalOnly = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { method: 'ocrm', rounds: 2, ppo: { klCoef: 0.2 }, eval: { greedy: true } },
    });
    const again: PipelineEvent[] = [];
    await runPipeline(evalOnly, { outDir: dir, onEvent: (e) => again.push(e) });
    expect(kinds(again, 'stage-start')).toEqual(['eval', 'report']);

    // A label names the run in reports: only the report reruns.
    const labelled = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { method: 'ocrm', rounds: 2, ppo: { klCoef: 0.2 }, eval: { greedy: true }, label: 'kl 0.2' },
    });
    const relabel: PipelineEvent[] = [];
    await runPipeline(labelled, { outDir: dir, onEvent: (e) => relabel.push(e) });
    expect(kinds(relabel, 'stage-start')).toEqual(['report']);
    expect((await summarizeRun(dir)).report.label).toBe('kl 0.2');

    const forced: PipelineEvent[] = [];
    await runPipeline(labelled, { outDir: dir, force: true, onEvent: (e) => forced.push(e) });
    expect(kinds(forced, 'stage-skip')).toEqual([]);
    expect(kinds(forced, 'stage-rerun')).toHaveLength(10);
  }, 300_000);
});
