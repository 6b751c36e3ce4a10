import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '../contracts/trainable';
import { InvalidArgumentError, ShapeError } from '../errors';
import type { GradientAccumulator } from '../optim/gradient-accumulator';
import type { MicroBatchGradients, TaskGradients } from './gradient-replica';
import type { GradientWorkers } from './gradient-workers';

/** What {@link accumulateMicroBatches} returns per task. */
export interface MicroBatchOutcome {
  /** The task's loss (NaN for a skipped task). */
  value: number;
  /** The task's `extra` output, flat (absent for a skipped task or when the loss gives none). */
  extra?: Float32Array;
}

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
  local: (task: Task) => MicroBatchGradients;
  /** Receives every task's gradients, in the tasks' order. */
  accumulator: GradientAccumulator;
  /** The trainable variables: posted to the workers first (their current values), and their shapes. */
  variables: NamedVariables;
  /** Worker threads holding replicas; absent = every task in this thread. */
  workers?: GradientWorkers<Task, unknown, unknown>;
}

/**
 * Adds the gradients of one optimizer step's micro-batches to `accumulator`, computing them in this thread and in
 * `workers` at the same time: the non-skipped tasks are cut into `n + 1` contiguous blocks (this thread takes the
 * first; with no workers, all). The gradients are added in the tasks' order whoever computed them, so the
 * accumulated sums — and with the same replica code and backend, every number of the run — are bit for bit those
 * of computing every task here. This thread keeps one task's gradients at a time (it adds each as it is computed).
 *
 * @returns each task's loss value (NaN for a skipped one) and its `extra` output, flat (absent for a skipped one).
 * @throws WorkerError (rejects) when a worker fails; InvalidArgumentError when `shares` and `tasks` differ in length.
 * @example
 * const losses = await accumulateMicroBatches({ tasks, shares, local: (t) => namedGrads(vars, () => loss(t)),
 *   accumulator, variables: vars, workers });
 * const mean = accumulator.take();
 */
export async function accumulateMicroBatches<Task>(
  options: AccumulateMicroBatchesOptions<Task>,
): Promise<MicroBatchOutcome[]> {
  const { tasks, shares, local, accumulator, variables, workers } = options;
  if (shares.length !== tasks.length) {
    throw new InvalidArgumentError(
      `accumulateMicroBatches: ${tasks.length} tasks but ${shares.length} shares.`,
    );
  }
  const outcomes: MicroBatchOutcome[] = tasks.map(() => ({ value: Number.NaN }));
  const active = shares.flatMap((share, i) => (share > 0 ? [i] : []));
  const blocks = contiguousBlocks(active, workers && active.length > 1 ? workers.size + 1 : 1);
  let remote: Promise<TaskGradients[]>[] = [];
  if (workers && blocks.length > 1) {
    workers.sync(variables);
    remote = blocks.slice(1).map((indices, w) =>
      indices.length > 0
        ? workers.compute(
            w,
            indices.map((i) => tasks[i]!),
          )
        : Promise.resolve([]),
    );
    // A failure here surfaces through the awaits below; never as an unhandled rejection if `local` throws first.
    for (const p of remote) p.catch(() => undefined);
  }
  // This thread's block comes first in the tasks' order: each task is added as soon as it is computed.
  for (const i of blocks[0]!) {
    const { value, grads, extra } = local(tasks[i]!);
    try {
      outcomes[i] = {
        value: value.dataSync()[0]!,
        extra: extra ? Float32Array.from(extra.dataSync()) : undefined,
      };
      accumulator.add(grads, shares[i]!);
    } finally {
      tf.dispose([value, ...Object.values(grads), ...(extra ? [extra] : [])]);
    }
  }
  for (const [w, pending] of remote.entries()) {
    const results = await pending;
    for (const [k, i] of blocks[w + 1]!.entries()) {
      outcomes[i] = { value: results[k]!.value, extra: results[k]!.extra };
      const grads = toTensors(results[k]!.grads, variables);
      try {
        accumulator.add(grads, shares[i]!);
      } finally {
        tf.dispose(Object.values(grads));
      }
    }
  }
  return outcomes;
}

/** `items` cut into `parts` contiguous blocks in order, sizes as equal as possible (the first ones larger). */
function contiguousBlocks(items: readonly number[], parts: number): number[][] {
  const base = Math.floor(items.length / parts);
  const extra = items.length % parts;
  const blocks: number[][] = [];
  let at = 0;
  for (let p = 0; p < parts; p++) {
    const size = base + (p < extra ? 1 : 0);
    blocks.push(items.slice(at, at + size));
    at += size;
  }
  return blocks;
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
