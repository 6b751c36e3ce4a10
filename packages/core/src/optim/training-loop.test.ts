import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../contracts/events';
import { AdamW } from './adamw';
import { drive } from './drive';
import { trainingLoop } from './training-loop';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A run that moves one variable by AdamW steps on (w − target)²; records the steps it ran. */
async function run(o: { dir?: string; abortAfter?: number; total?: number } = {}) {
  const w = tf.variable(tf.scalar(0), true, `loop-test-${Math.random()}`);
  const optimizer = new AdamW({ learningRate: 0.1, weightDecay: 0 });
  const controller = new AbortController();
  const ran: number[] = [];
  const events: TrainEvent[] = [];
  let counter = 0;
  let resumedCounter: unknown;
  try {
    const result = await drive(
      trainingLoop({
        stage: 'toy',
        totalSteps: o.total ?? 6,
        variables: { w },
        optimizer,
        checkpointDir: o.dir,
        checkpointEvery: 4,
        evalEvery: 3,
        signal: controller.signal,
        step: (s) => {
          ran.push(s);
          counter++;
          const grads = { w: tf.tidy(() => tf.mul(2, tf.sub(w, 1 + s))) };
          optimizer.step({ w }, grads);
          tf.dispose(Object.values(grads));
          return { step: s };
        },
        evaluate: () => ({ w: w.dataSync()[0]! }),
        checkpointExtra: () => ({ counter }),
        onResume: (extra) => {
          resumedCounter = extra.counter;
        },
      }),
      (event) => {
        events.push(event);
        if (event.type === 'step-end' && event.step === o.abortAfter) controller.abort(new Error('stop'));
      },
    ).catch((error: Error) => {
      if (error.message !== 'stop') throw error;
      return undefined;
    });
    return { result, ran, events, w: w.dataSync()[0]!, resumedCounter };
  } finally {
    w.dispose();
    optimizer.dispose();
  }
}

describe('trainingLoop', () => {
  it('runs every step once, evaluates and checkpoints on their cadence and after the last step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loop-'));
    dirs.push(dir);
    const r = await run({ dir });
    expect(r.ran).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.events.map((e) => (e.type === 'step-end' ? e.step : e.type))).toEqual([
      'run-start',
      1,
      2,
      3,
      'eval-end',
      4,
      'checkpoint',
      5,
      6,
      'eval-end',
      'checkpoint',
    ]);
    expect(r.result).toMatchObject({ steps: 6, resumedAt: 0, lastMetrics: { step: 5 } });
  });

  it('an abort saves the last finished step; the rerun resumes there with its state and ends where one run ends', async () => {
    const straight = await run();
    const dir = await mkdtemp(join(tmpdir(), 'loop-'));
    dirs.push(dir);
    const stopped = await run({ dir, abortAfter: 2 });
    expect(stopped.result).toBeUndefined();
    expect(stopped.ran).toEqual([0, 1]);
    expect(stopped.events.at(-1)).toMatchObject({ type: 'checkpoint', step: 2 });
    const resumed = await run({ dir });
    expect(resumed.ran).toEqual([2, 3, 4, 5]);
    expect(resumed.resumedCounter).toBe(2);
    expect(resumed.result?.resumedAt).toBe(2);
    expect(resumed.w).toBe(straight.w);
  });
});
