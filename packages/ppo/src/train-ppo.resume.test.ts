import { readdir } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { snapshot, useTempDirs } from './test-support/checkpoints';
import { TINY_PPO_CONFIG, tinySetup } from './test-support/setup';
import { trainPpo, trainPpoIter } from './train-ppo';

const CONFIG = { ...TINY_PPO_CONFIG, totalUpdates: 4, checkpointEvery: 2, ppoEpochs: 2 };

describe('trainPpo checkpoints', () => {
  const tempDir = useTempDirs('ocrm-ppo-');

  it('resumes a killed run and ends with the same weights as an uninterrupted run', async () => {
    const full = tinySetup(1);
    const fullResult = await trainPpo({ ...full, config: CONFIG, checkpointDir: await tempDir() });
    const expected = snapshot(full);
    full.dispose();

    // A run "killed" right after its first checkpoint (update 2), then restarted from scratch with resume.
    const dir = await tempDir();
    const killed = tinySetup(1);
    for await (const event of trainPpoIter({ ...killed, config: CONFIG, checkpointDir: dir })) {
      if (event.type === 'checkpoint') {
        expect(event.step).toBe(2);
        break;
      }
    }
    killed.dispose();
    expect((await readdir(dir)).sort()).toContain('checkpoint.json');

    const resumed = tinySetup(1);
    const events: string[] = [];
    const result = await trainPpo({
      ...resumed,
      config: CONFIG,
      checkpointDir: dir,
      onEvent: (e) => events.push(`${e.type}:${'step' in e ? e.step : ''}`),
    });
    expect(events).toEqual(['run-start:', 'step-end:3', 'step-end:4', 'checkpoint:4', 'run-end:4']);
    expect(result.history).toHaveLength(2);
    expect(result.metrics['objective/scores']).toBe(fullResult.metrics['objective/scores']);
    const actual = snapshot(resumed);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const name of Object.keys(expected)) expect(actual[name], name).toEqual(expected[name]);
    resumed.dispose();
  });

  it('starts from scratch when resume finds no checkpoint, and refuses a checkpoint of another config', async () => {
    const dir = await tempDir();
    const s = tinySetup(2);
    const r = await trainPpo({
      ...s,
      config: { ...CONFIG, totalUpdates: 2 },
      checkpointDir: dir,
    });
    expect(r.history).toHaveLength(2);
    await expect(
      trainPpo({ ...s, config: { ...CONFIG, totalUpdates: 2, seed: 9 }, checkpointDir: dir }),
    ).rejects.toMatchObject({ code: 'INVALID_DATA' });
    s.dispose();
  });

  it('keeps the tensor count flat across updates and frees everything it made', async () => {
    const s = tinySetup(3);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await trainPpo({
      ...s,
      config: {
        ...TINY_PPO_CONFIG,
        totalUpdates: 4,
        checkpointEvery: 2,
        scorePosition: 'eosPlus1',
        whitenRewards: true,
      },
      checkpointDir: await tempDir(),
      onEvent: (e) => {
        if (e.type === 'step-end') counts.push(tf.memory().numTensors);
      },
    });
    // After update 1 the optimizer holds its moments; from then on nothing grows.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[0]).toBe(counts[1]);
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });
});
