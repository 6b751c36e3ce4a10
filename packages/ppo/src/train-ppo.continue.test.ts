import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resolvePpoConfig } from './config';
import { snapshot, useTempDirs } from './test-support/checkpoints';
import { TINY_PPO_CONFIG, tinySetup } from './test-support/setup';
import { ppoVariables, trainPpo } from './train-ppo';
import { PpoState } from './update/ppo-state';

const CONFIG = { ...TINY_PPO_CONFIG, totalUpdates: 4, ppoEpochs: 2 };

describe('trainPpo segments (stopAfter + warmStart)', () => {
  const tempDir = useTempDirs('ocrm-ppo-seg-');

  it('two segments of one schedule end with the weights of the uninterrupted run', async () => {
    const full = tinySetup(4);
    const fullResult = await trainPpo({ ...full, config: CONFIG });
    const expected = snapshot(full);
    full.dispose();

    const first = tinySetup(4);
    const dir1 = await tempDir();
    const events: string[] = [];
    const r1 = await trainPpo({
      ...first,
      config: CONFIG,
      stopAfter: 2,
      checkpointDir: dir1,
      onEvent: (e) => events.push(`${e.type}:${'step' in e ? e.step : ''}`),
    });
    // The early stop is checkpointed although checkpointEvery is 0.
    expect(events).toEqual(['run-start:', 'step-end:1', 'step-end:2', 'checkpoint:2', 'run-end:2']);
    expect(r1.updates).toBe(2);
    expect(r1.history.map((m) => m.lr)).toEqual(fullResult.history.slice(0, 2).map((m) => m.lr));
    first.dispose();

    // A fresh process: new models from the same init; the warm start brings weights, moments and the update count.
    const second = tinySetup(4);
    const r2 = await trainPpo({
      ...second,
      config: CONFIG,
      warmStart: { checkpointDir: dir1 },
      checkpointDir: await tempDir(),
    });
    expect(r2.history).toHaveLength(2);
    expect(r2.history.map((m) => m.lr)).toEqual(fullResult.history.slice(2).map((m) => m.lr));
    expect(r2.metrics['objective/scores']).toBe(fullResult.metrics['objective/scores']);
    const actual = snapshot(second);
    for (const name of Object.keys(expected)) expect(actual[name], name).toEqual(expected[name]);
    second.dispose();
  });

  it('with critic: false keeps the critic passed in and gives it fresh moments', async () => {
    const s = tinySetup(5);
    const dir = await tempDir();
    await trainPpo({ ...s, config: CONFIG, stopAfter: 1, checkpointDir: dir });
    s.dispose();

    const next = tinySetup(5);
    const criticBefore = snapshot(next);
    const variables = ppoVariables(next.policy, next.critic);
    const before = tf.memory().numTensors;
    const state = new PpoState(variables, resolvePpoConfig(CONFIG));
    expect(await state.warmStart(dir, false)).toBe(1);
    const names = Object.keys(state.optimizer.getState().moments);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('policy/'))).toBe(true);
    const after = snapshot(next);
    for (const name of Object.keys(after)) {
      // The policy moved to the checkpoint's weights; the critic did not.
      if (name.startsWith('critic/')) expect(after[name], name).toEqual(criticBefore[name]);
    }
    expect(
      Object.keys(after).some((n) => n.startsWith('policy/') && after[n]![0] !== criticBefore[n]![0]),
    ).toBe(true);
    state.dispose();
    expect(tf.memory().numTensors).toBe(before);
    next.dispose();
  });

  it('rejects a stop outside the schedule and a warm start at or past the stop', async () => {
    const s = tinySetup(6);
    await expect(trainPpo({ ...s, config: CONFIG, stopAfter: 5 })).rejects.toThrow(/stopAfter/);
    const dir = await tempDir();
    await trainPpo({ ...s, config: CONFIG, stopAfter: 2, checkpointDir: dir });
    await expect(
      trainPpo({ ...s, config: CONFIG, stopAfter: 2, warmStart: { checkpointDir: dir } }),
    ).rejects.toThrow(/at update 2/);
    s.dispose();
  });
});
