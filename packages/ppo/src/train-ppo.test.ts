import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainEvent } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { TINY_PPO_CONFIG, tinySetup } from './test-support/setup';
import { trainPpo, trainPpoIter } from './train-ppo';

describe('trainPpo', () => {
  it('has ratio exactly 1, clip fraction 0 and approx-KL 0 on the first minibatch of the first epoch', async () => {
    const s = tinySetup(3);
    // One epoch of one minibatch (two micro-batches): every statistic of update 1 comes from that first minibatch.
    const result = await trainPpo({
      ...s,
      config: { ...TINY_PPO_CONFIG, ppoEpochs: 1, numMinibatches: 1, totalUpdates: 1 },
    });
    const m = result.metrics;
    expect(m['val/ratio']).toBe(1);
    expect(m['policy/clipfrac']).toBe(0);
    expect(m['policy/approxkl']).toBe(0);
    expect(m['objective/kl']).toBe(0); // the reference is a frozen copy of the starting policy
    s.dispose();
  });

  it('reports every metric, decays the learning rate linearly to 0 and runs the eval hook', async () => {
    const s = tinySetup(4);
    const events: TrainEvent[] = [];
    const evalCalls: number[] = [];
    const result = await trainPpo({
      ...s,
      config: { ...TINY_PPO_CONFIG, totalUpdates: 4, evalEvery: 3, ppoEpochs: 1, learningRate: 0.01 },
      onEval: async (policy, update) => {
        expect(policy).toBe(s.policy);
        evalCalls.push(update);
        return { 'eval/gold': update };
      },
      onEvent: (e) => events.push(e),
    });
    expect(evalCalls).toEqual([3, 4]);
    expect(result.evals).toEqual([
      { update: 3, metrics: { 'eval/gold': 3 } },
      { update: 4, metrics: { 'eval/gold': 4 } },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'run-start',
      'step-end',
      'step-end',
      'step-end',
      'eval-end',
      'step-end',
      'eval-end',
      'run-end',
    ]);
    expect(result.history.map((m) => m.lr)).toEqual(
      [0.01, 0.0075, 0.005, 0.0025].map((x) => expect.closeTo(x, 12)),
    );
    expect(result.updates).toBe(4);
    expect(result.episodes).toBe(64);
    for (const key of [
      'objective/kl',
      'objective/scores',
      'objective/scores_std',
      'objective/rlhf_reward',
      'objective/non_score_reward',
      'objective/entropy',
      'policy/approxkl',
      'policy/clipfrac',
      'val/clipfrac',
      'loss/policy',
      'loss/value',
      'val/ratio',
      'val/num_eos',
      'val/response_length',
      'lr',
      'eps',
      'time/sampling',
      'time/scoring',
      'time/update',
    ]) {
      expect(Number.isFinite(result.metrics[key]), key).toBe(true);
    }
    const m = result.metrics;
    expect(m['objective/rlhf_reward']).toBeCloseTo(
      (m['objective/scores'] as number) + (m['objective/non_score_reward'] as number),
      5,
    );
    expect(m['objective/non_score_reward']).toBeCloseTo(-0.05 * (m['objective/kl'] as number), 5);
    s.dispose();
  });

  it('gives the same metrics for the same seed', async () => {
    const run = async () => {
      const s = tinySetup(5);
      const r = await trainPpo({ ...s, config: { ...TINY_PPO_CONFIG, totalUpdates: 3, ppoEpochs: 2 } });
      s.dispose();
      return r.history.map(({ eps, ...rest }) =>
        Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('time/'))),
      );
    };
    const a = await run();
    const b = await run();
    expect(b).toEqual(a);
    expect(a[2]?.['policy/approxkl']).toBeGreaterThan(0);
  });

  it('stops at an aborted signal', async () => {
    const s = tinySetup(6);
    const controller = new AbortController();
    const iter = trainPpoIter({
      ...s,
      config: { ...TINY_PPO_CONFIG, totalUpdates: 5 },
      signal: controller.signal,
    });
    await expect(
      (async () => {
        for await (const e of iter) if (e.type === 'step-end') controller.abort();
      })(),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    s.dispose();
  });

  it('on abort finishes the update, checkpoints it, then stops (Ctrl-C)', async () => {
    const s = tinySetup(6);
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-ppo-abort-'));
    const controller = new AbortController();
    const events: string[] = [];
    const iter = trainPpoIter({
      ...s,
      config: { ...TINY_PPO_CONFIG, totalUpdates: 5, checkpointEvery: 0 },
      checkpointDir: dir,
      signal: controller.signal,
    });
    await expect(
      (async () => {
        for await (const e of iter) {
          events.push(`${e.type}:${'step' in e ? e.step : ''}`);
          if (e.type === 'step-end' && e.step === 2) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(events.slice(-2)).toEqual(['step-end:2', 'checkpoint:2']);
    s.dispose();
  });
});
