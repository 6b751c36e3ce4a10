// END-TO-END (~10 s): the official round protocol on the `smoke` sizes — same-seed reward models, restarted
// PPO rounds, pairs at temperature 1.0 with PPO at 0.7, adaptive λ, greedy and multi-sample evaluation.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PreferencePair, readJsonlAll, type TrainEvent } from '@ocrm/core';
import { getTask } from '@ocrm/data';
import { trainPpo } from '@ocrm/ppo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import type { PipelineConfig } from '../config/schema';
import { runPipeline } from '../run/run-pipeline';
import { loadPolicy, loadRewardModel } from '../stages/models';
import { seedFor } from '../stages/seeds';

const official = {
  method: 'ocrm',
  rounds: 2,
  roundStart: 'restart',
  pairs: { temperature: 1 },
  rewardModel: { seedPolicy: 'same' },
  ppo: { scorePosition: 'eosPlus1', weightDecay: 0.01 },
  eval: { samplesPerPrompt: 2, greedy: true },
} as const;

describe('e2e: the official round protocol (smoke sizes)', () => {
  let dir = '';
  let config: PipelineConfig;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-official-'));
    config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { ...official, weighting: { ratioExponent: 0 } },
    });
    await runPipeline(config, { outDir: dir });
  }, 600_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("seedPolicy 'same' at λ = 0: RM-2 is RM-1 bit for bit", async () => {
    const rm1 = await readFile(join(dir, 'rm-1/model/model.safetensors'));
    const rm2 = await readFile(join(dir, 'rm-2/model/model.safetensors'));
    expect(rm2.equals(rm1)).toBe(true);
    expect(await readFile(join(dir, 'rm-2/model/config.json'), 'utf8')).toBe(
      await readFile(join(dir, 'rm-1/model/config.json'), 'utf8'),
    );
  });

  it('the weights: numerator at PPO temperature 0.7, denominator at the pairs’ recorded 1.0', async () => {
    const pairs = await readJsonlAll<PreferencePair>(join(dir, 'labels/pairs.jsonl'));
    expect(pairs.every((p) => p.samplerTemperature === 1)).toBe(true);
    const logProbs = JSON.parse(await readFile(join(dir, 'weights-2/details.json'), 'utf8'));
    expect(logProbs.temperatures).toEqual({ policy: 0.7, sampler: 1 });
    // At a fixed λ = 0 no density pass runs (every weight is 1); the adaptive run below computes them.
    expect(logProbs.samplerDrift).toBeNull();
  });

  it('restart: round 2 is exactly a fresh PPO run from π_1 with RM-2 as critic and reward, KL to π_1', async () => {
    const task = await getTask(config.task.name, config.task.options);
    const policy = await loadPolicy(join(dir, 'ppo-1/policy'), task);
    const reference = await loadPolicy(join(dir, 'ppo-1/policy'), task, true);
    const critic = await loadRewardModel(join(dir, 'rm-2/model'), true);
    const rewardModel = await loadRewardModel(join(dir, 'rm-2/model'));
    const events: TrainEvent[] = [];
    try {
      await trainPpo({
        policy,
        critic,
        rewardModel,
        reference,
        prompts: task.trainPrompts.map((p) => task.tokenizer.encode(p.prompt)),
        config: {
          maxNewTokens: task.maxResponseTokens,
          seed: seedFor(config.seed, 'ppo', 2),
          ...config.ppo,
          totalEpisodes: null,
        },
        onEvent: (e) => events.push(e),
      });
      const fresh = events.filter((e) => e.type === 'step-end');
      const metrics = await readJsonlAll<TrainEvent & { stage?: string }>(join(dir, 'metrics.jsonl'));
      const piped = metrics.filter((m) => m.type === 'step-end' && m.stage === 'ppo-2');
      expect(piped.length).toBe(Number(config.ppo.totalUpdates));
      expect(fresh.length).toBe(piped.length);
      // The first update (lr at its peak, fresh AdamW, critic = RM-2) and every later one match.
      for (let i = 0; i < fresh.length; i++) {
        const a = fresh[i] as Extract<TrainEvent, { type: 'step-end' }>;
        const b = piped[i] as Extract<TrainEvent, { type: 'step-end' }>;
        expect(a.step).toBe(b.step);
        expect(numbers(a.metrics)).toEqual(numbers(b.metrics));
      }
      const out = join(dir, 'fresh-ppo-2');
      await policy.save(out);
      expect(
        (await readFile(join(out, 'model.safetensors'))).equals(
          await readFile(join(dir, 'ppo-2/policy/model.safetensors')),
        ),
      ).toBe(true);
    } finally {
      for (const m of [policy, reference, critic, rewardModel]) m.dispose();
    }
  });

  it('the eval stage reports K samples per prompt and greedy decoding', async () => {
    const results = JSON.parse(await readFile(join(dir, 'eval/results.json'), 'utf8')) as {
      round: number;
      metrics: Record<string, number>;
    }[];
    for (const r of results) {
      expect(Number.isFinite(r.metrics['eval/gold'])).toBe(true);
      expect(Number.isFinite(r.metrics['eval/greedy/gold'])).toBe(true);
      expect(r.metrics['eval/greedy/eos_rate']).toBeGreaterThanOrEqual(0);
    }
  });

  it('targetEss chooses λ per round so that ESS/N meets the target (±0.01) and records it', async () => {
    const adaptive = join(dir, 'adaptive');
    for (const stage of ['sft', 'pairs', 'labels', 'rm-1', 'ppo-1'])
      await cp(join(dir, stage), join(adaptive, stage), { recursive: true });
    const target = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { ...official, weighting: { ratioExponent: null, targetEss: 0.5 } },
    });
    const result = await runPipeline(target, { outDir: adaptive });
    const diagnostics = JSON.parse(await readFile(join(adaptive, 'weights-2/diagnostics.json'), 'utf8'));
    expect(Math.abs(diagnostics.essFraction - 0.5)).toBeLessThanOrEqual(0.01);
    const logProbs = JSON.parse(await readFile(join(adaptive, 'weights-2/details.json'), 'utf8'));
    expect(logProbs.ratioExponent).toBeGreaterThan(0);
    // Numerator at PPO's 0.7, denominator at the pairs' 1.0, which reproduces the log-probs recorded while sampling.
    expect(logProbs.temperatures).toEqual({ policy: 0.7, sampler: 1 });
    expect(logProbs.samplerDrift).toBeLessThan(1e-3);
    expect(result.rounds[1]!.essFraction).toBeCloseTo(diagnostics.essFraction, 10);
    // Weighted now: RM-2 differs from RM-1.
    const rm1 = await readFile(join(adaptive, 'rm-1/model/model.safetensors'));
    expect((await readFile(join(adaptive, 'rm-2/model/model.safetensors'))).equals(rm1)).toBe(false);
  }, 600_000);
});

/** Metrics without the wall-clock ones (`time/*`, episodes per second `eps`). */
function numbers(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([k]) => !k.startsWith('time/') && k !== 'eps'));
}
