import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '../contracts/trainable';
import { InvalidArgumentError, ShapeError } from '../errors';
import type { GradientAccumulator } from '../optim/gradient-accumulator';
import type { TaskGradients } from './gradient-replica';
import type { GradientWorkers } from './gradient-workers';

/** Options of {@link accumulateMicroBatches}. */
export interface AccumulateMicroBatchesOptions<Task> {
  /** The micro-batches of one optimizer step, in order. */
  tasks: readonly Task[];
  /** Each task's weight in the accumulator (e.g. its share of the step's tokens); a task with share 0 is skipped. */
  shares: readonly number[];
  /**
   * The main thread's loss and gradients of one task (what the workers' replicas compute for the same task); the
   * caller owns nothing it returns (this function disposes it).
   */
  local: (task: Task) => { value: tf.Scalar; grads: Record<string, tf.Tensor> };
  /** Receives every task's gradients, in the tasks' order. */
  accumulator: GradientAccumulator;
  /** The trainable variables: posted to the workers first (their current values), and their shapes. */
  variables: NamedVariables;
  /** Worker threads holding replicas; absent = every task in this thread. */
  workers?: GradientWorkers<Task>;
}

/**
 * Adds the gradients of one optimizer step's micro-batches to `accumulator`, computing them in this thread and in
 * `workers` at the same time: with `n` workers the `j`-th non-skipped task runs in process `j mod (n + 1)` (0 = this
 * thread). The gradients are added in the tasks' order whoever computed them, so the accumulated sums — and with
 * the same replica code and backend, every number of the run — are bit for bit those of computing every task here.
 *
 * @returns each task's loss value (NaN for a skipped one).
 * @throws WorkerError (rejects) when a worker fails; InvalidArgumentError when `shares` and `tasks` differ in length.
 * @example
 * const losses = await accumulateMicroBatches({ tasks, shares, local: (t) => namedGrads(vars, () => loss(t)),
 *   accumulator, variables: vars, workers });
 * const mean = accumulator.take();
 */
export async function accumulateMicroBatches<Task>(
  options: AccumulateMicroBatchesOptions<Task>,
): Promise<number[]> {
  const { tasks, shares, local, accumulator, variables, workers } = options;
  if (shares.length !== tasks.length) {
    throw new InvalidArgumentError(
      `accumulateMicroBatches: ${tasks.length} tasks but ${shares.length} shares.`,
    );
  }
  const values = tasks.map(() => Number.NaN);
  const active = shares.flatMap((share, i) => (share > 0 ? [i] : []));
  const processes = (workers?.size ?? 0) + 1;
  const assigned: number[][] = Array.from({ length: processes }, () => []);
  for (const [j, i] of active.entries()) assigned[j % processes]!.push(i);
  let remote: Promise<TaskGradients[]>[] = [];
  if (workers && active.length > 1) {
    workers.sync(variables);
    remote = assigned.slice(1).map((indices, w) =>
      indices.length > 0
        ? workers.compute(
            w,
            indices.map((i) => tasks[i]!),
          )
        : Promise.resolve([]),
    );
    // A failure here surfaces through Promise.all below; never as an unhandled rejection if `local` throws first.
    for (const p of remote) p.catch(() => undefined);
  } else {
    assigned[0] = active;
  }
  const mine = new Map<number, { value: tf.Scalar; grads: Record<string, tf.Tensor> }>();
  try {
    for (const i of assigned[0]!) mine.set(i, local(tasks[i]!));
    const theirs = new Map<number, TaskGradients>();
    for (const [w, results] of (await Promise.all(remote)).entries()) {
      for (const [k, i] of assigned[w + 1]!.entries()) theirs.set(i, results[k]!);
    }
    for (const i of active) {
      const here = mine.get(i);
      if (here) {
        values[i] = here.value.dataSync()[0]!;
        accumulator.add(here.grads, shares[i]!);
        continue;
      }
      const there = theirs.get(i)!;
      values[i] = there.value;
      const grads = toTensors(there.grads, variables);
      try {
        accumulator.add(grads, shares[i]!);
      } finally {
        tf.dispose(Object.values(grads));
      }
    }
  } finally {
    for (const { value, grads } of mine.values()) tf.dispose([value, ...Object.values(grads)]);
  }
  return values;
}

/** A worker's flat gradients as tensors in their variables' shapes (caller disposes). */
function toTensors(
  grads: Record<string, Float32Array>,
  variables: NamedVariables,
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, data] of Object.entries(grads)) {
    const variable = variables[name];
    if (!variable || variable.size !== data.length) {
      tf.dispose(Object.values(out));
      throw new ShapeError(
        `accumulateMicroBatches: a worker returned a gradient for \`${name}\` of ${data.length} values, ` +
          (variable ? `but the variable has ${variable.size}.` : 'which is not a trainable variable.'),
      );
    }
    out[name] = tf.tensor(data, variable.shape, 'float32');
  }
  return out;
}
