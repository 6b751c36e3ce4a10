import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkerError } from '../errors';
import { AdamW } from '../optim/adamw';
import { GradientAccumulator } from '../optim/gradient-accumulator';
import { restoreBackendAfterAll } from '../test/restore-backend';
import { accumulateMicroBatches } from './accumulate-micro-batches';
// @ts-expect-error: a plain JavaScript fixture (the worker imports it too)
import { mlpGradients, mlpPredict, mlpWeights } from './fixtures/mlp-replica.mjs';
import { GradientWorkers } from './gradient-workers';
import type { ModuleRef } from './module-ref';
import { WorkerThreads } from './worker-threads';

type Task = { x: Float32Array; y: Float32Array; fail?: boolean };
type Weights = Record<string, tf.Variable>;
type Answer = { predictions: Float32Array };

const fixture = fileURLToPath(new URL('./fixtures/mlp-replica.mjs', import.meta.url));
const backend: ModuleRef = { module: fixture, export: 'useCpu' };
const replica = (seed: number, hidden?: number, evaluate?: boolean): ModuleRef => ({
  module: fixture,
  export: 'createMlpReplica',
  options: { seed, hidden, evaluate },
});

/** Deterministic micro-batches: `count` tasks of `rows` rows, a linear target plus a ripple. */
function tasks(count: number, rows: number, offset = 0): Task[] {
  return Array.from({ length: count }, (_, t) => {
    const x = Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(0.37 * (i + 1) + t + offset));
    const y = Float32Array.from(
      { length: rows },
      (_, r) => x[4 * r]! - 0.5 * x[4 * r + 3]! + 0.1 * Math.cos(r),
    );
    return { x, y };
  });
}

/**
 * Trains `steps` AdamW steps on 4 micro-batches a step (shares ∝ rows) and returns the final weights: with workers
 * through `accumulateMicroBatches`, without them by a plain loop.
 */
async function train(
  weights: Weights,
  steps: number,
  workers?: GradientWorkers<Task>,
): Promise<Float32Array[]> {
  const optimizer = new AdamW({ weightDecay: 0.01 });
  const accumulator = new GradientAccumulator();
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const batch = [...tasks(3, 5, s), ...tasks(1, 2, s + 0.5)];
    const shares = [5 / 17, 5 / 17, 5 / 17, 2 / 17];
    if (workers) {
      const outcomes = await accumulateMicroBatches({
        tasks: batch,
        shares,
        local: (task) => mlpGradients(weights, task),
        accumulator,
        variables: weights,
        workers,
      });
      losses.push(...outcomes.map((o) => o.value));
    } else {
      // The reference: the plain one-process loop of a trainer.
      batch.forEach((task, i) => {
        const { value, grads, extra } = mlpGradients(weights, task);
        losses.push(value.dataSync()[0]);
        accumulator.add(grads, shares[i]);
        tf.dispose([value, extra, ...Object.values(grads)]);
      });
    }
    const mean = accumulator.take();
    optimizer.step(weights, mean, 0.05);
    tf.dispose(Object.values(mean));
  }
  accumulator.dispose();
  optimizer.dispose();
  expect(losses.every(Number.isFinite)).toBe(true);
  return Object.values(weights).map((w) => w.dataSync() as Float32Array);
}

describe('GradientWorkers + accumulateMicroBatches', () => {
  restoreBackendAfterAll();
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  let open: GradientWorkers<Task>[] = [];
  afterEach(async () => {
    await Promise.all(open.map((w) => w.close()));
    open = [];
  });
  const start = async (count: number, seed = 99, hidden?: number, weights?: Weights) => {
    const pool = await GradientWorkers.start<Task>({
      count,
      backend,
      replica: replica(seed, hidden),
      weights: weights ?? mlpWeights({ seed: 7 }),
    });
    open.push(pool);
    return pool;
  };

  it('gives bit-identical weights with 0, 1 and 2 workers (replicas start from other values: all are sent)', async () => {
    const sequential = await train(mlpWeights({ seed: 7 }), 6);
    for (const count of [1, 2]) {
      const weights = mlpWeights({ seed: 7 });
      const pool = await start(count, 1234, undefined, weights);
      const parallel = await train(weights, 6, pool);
      expect(parallel).toEqual(sequential);
    }
    // And training moved the weights (the comparison is not between two untouched copies).
    const initial = Object.values(mlpWeights({ seed: 7 }) as Weights).map((w) => w.dataSync());
    expect(sequential[0]).not.toEqual(initial[0]);
  });

  it("skips tasks with share 0 (NaN, no extra output), returns the others' losses and extra outputs", async () => {
    const weights = mlpWeights({ seed: 7 });
    const pool = await start(1);
    const batch = tasks(3, 4);
    const accumulator = new GradientAccumulator();
    const outcomes = await accumulateMicroBatches({
      tasks: batch,
      shares: [0.5, 0, 0.5],
      local: (task) => mlpGradients(weights, task),
      accumulator,
      variables: weights,
      workers: pool,
    });
    expect(accumulator.size).toBe(2);
    expect(Number.isNaN(outcomes[1]!.value)).toBe(true);
    expect(outcomes[1]!.extra).toBeUndefined();
    const alone = batch.map((task) => {
      const { value, grads, extra } = mlpGradients(weights, task);
      const out = { value: value.dataSync()[0], extra: Float32Array.from(extra.dataSync()) };
      tf.dispose([value, extra, ...Object.values(grads)]);
      return out;
    });
    // Task 2 ran in the worker: its loss and its extra output (the predictions) are those of this thread.
    expect([outcomes[0], outcomes[2]]).toEqual([alone[0], alone[2]]);
    expect(outcomes[2]!.extra).toHaveLength(4);
    tf.dispose(Object.values(accumulator.take()));
    accumulator.dispose();
  });

  it('leaves no tensor behind in the main thread', async () => {
    const weights = mlpWeights({ seed: 7 });
    const pool = await start(1);
    const accumulator = new GradientAccumulator();
    const step = async () => {
      await accumulateMicroBatches({
        tasks: tasks(4, 3),
        shares: [0.25, 0.25, 0.25, 0.25],
        local: (task) => mlpGradients(weights, task),
        accumulator,
        variables: weights,
        workers: pool,
      });
      tf.dispose(Object.values(accumulator.take()));
    };
    await step();
    const before = tf.memory().numTensors;
    await step();
    expect(tf.memory().numTensors).toBe(before);
    accumulator.dispose();
  });

  it('refuses a replica whose weights differ from the main model, naming them', async () => {
    const error = await start(1, 99, 6).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toMatch(/w1 \[4,8\]/);
  });

  it('names the module when a worker cannot build its replica', async () => {
    const error = await GradientWorkers.start({
      count: 1,
      backend,
      replica: { module: fixture, export: 'noSuchFactory' },
      weights: mlpWeights({ seed: 7 }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toMatch(/mlp-replica\.mjs.*noSuchFactory/s);
  });

  it('rejects with a WorkerError when a task throws in the worker, and stays failed', async () => {
    const weights = mlpWeights({ seed: 7 });
    const pool = await start(1);
    const batch = tasks(2, 3);
    batch[1]!.fail = true;
    const accumulator = new GradientAccumulator();
    const run = () =>
      accumulateMicroBatches({
        tasks: batch,
        shares: [0.5, 0.5],
        local: (task) => mlpGradients(weights, task),
        accumulator,
        variables: weights,
        workers: pool,
      });
    await expect(run()).rejects.toThrow(/worker 0 failed: this task fails on purpose/);
    expect(() => pool.compute(0, [])).toThrow(WorkerError);
    accumulator.dispose();
  });

  it('evaluate answers with the synced weights, in message order: a later sync waits for a slow answer', async () => {
    const weights = mlpWeights({ seed: 7 });
    const pool = (await start(1)) as unknown as GradientWorkers<Task, Task & { delayMs?: number }, Answer>;
    const query = tasks(1, 5)[0]!;
    const predict = () => {
      const p = mlpPredict(weights, query);
      const out = Float32Array.from(p.dataSync());
      p.dispose();
      return out;
    };
    const before = predict();
    expect((await pool.evaluate(0, query)).predictions).toEqual(before);
    // Asked before the sync, answered after a delay: still the old weights.
    const slow = pool.evaluate(0, { ...query, delayMs: 50 });
    weights.w2!.assign(tf.mul(weights.w2!, 2));
    pool.sync(weights);
    const after = predict();
    expect(after).not.toEqual(before);
    expect((await slow).predictions).toEqual(before);
    expect((await pool.evaluate(0, query)).predictions).toEqual(after);
  });

  it('evaluate rejects with a WorkerError when the replica has none', async () => {
    const pool = await GradientWorkers.start<Task, Task, Answer>({
      count: 1,
      backend,
      replica: replica(99, undefined, false),
      weights: mlpWeights({ seed: 7 }),
    });
    open.push(pool as unknown as GradientWorkers<Task>);
    await expect(pool.evaluate(0, tasks(1, 2)[0]!)).rejects.toThrow(/worker 0 failed: .* has no `evaluate`/);
  });

  it('threads given at start serve one trainer after another: same numbers as fresh threads, never restarted', async () => {
    const sequential = await train(mlpWeights({ seed: 7 }), 3);
    const threads = WorkerThreads.spawn({ count: 1, backend });
    try {
      await threads.ready();
      const ids = threads.workers.map((w) => w.threadId);
      for (let round = 0; round < 2; round++) {
        const weights = mlpWeights({ seed: 7 });
        const pool = await GradientWorkers.start<Task>({
          count: 1,
          replica: replica(1234 + round),
          weights,
          threads,
        });
        // One trainer at a time.
        await expect(
          GradientWorkers.start<Task>({ count: 1, replica: replica(1), weights, threads }),
        ).rejects.toThrow(/another trainer holds them/);
        expect(await train(weights, 3, pool)).toEqual(sequential);
        await pool.close();
        expect(() => pool.compute(0, [])).toThrow(/closed/);
      }
      // A replica that cannot be built hands the threads back, still running.
      await expect(
        GradientWorkers.start({
          count: 1,
          replica: { module: fixture, export: 'noSuchFactory' },
          weights: mlpWeights({ seed: 7 }),
          threads,
        }),
      ).rejects.toThrow(/could not build its replica.*noSuchFactory/s);
      const pool = await GradientWorkers.start<Task>({
        count: 1,
        replica: replica(5),
        weights: mlpWeights({ seed: 7 }),
        threads,
      });
      await pool.close();
      expect(threads.workers.map((w) => w.threadId)).toEqual(ids);
      await expect(
        GradientWorkers.start({ count: 2, replica: replica(5), weights: mlpWeights({ seed: 7 }), threads }),
      ).rejects.toThrow(/2 workers asked for, but the threads given are 1/);
    } finally {
      await threads.close();
    }
    await expect(
      GradientWorkers.start({ count: 1, replica: replica(5), weights: mlpWeights({ seed: 7 }), threads }),
    ).rejects.toThrow(/they are closed/);
  });

  it('names the backend module when a thread cannot set it up', async () => {
    const threads = WorkerThreads.spawn({ count: 1, backend: { module: fixture, export: 'noSuchBackend' } });
    await expect(threads.ready()).rejects.toThrow(
      /could not set up its backend \(.*mlp-replica\.mjs\).*noSuchBackend/s,
    );
    await threads.close();
  });
});
