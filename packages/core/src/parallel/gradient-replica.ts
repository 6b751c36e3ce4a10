import type * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '../contracts/trainable';

/**
 * A copy of a trained model inside a worker thread, computing the gradients of micro-batches for the trainer in the
 * main thread ({@link GradientWorkers}). A trainer package ships a module exporting a {@link GradientReplicaFactory};
 * the worker builds the replica once, receives every weight from the main thread, then per optimizer step the new
 * values of the trainable ones, and computes the loss and gradients of the tasks it is sent.
 *
 * For the data-parallel numbers to equal one process's, `gradients(task)` must compute exactly what the trainer
 * computes for the same micro-batch in the main thread (the same loss function on the same backend and kernels).
 */
export interface GradientReplica<Task, Query = never, Answer = never> {
  /**
   * Every weight of the replica by the main model's names (the main thread checks names and shapes at start and
   * sets them all before the first task).
   */
  readonly weights: NamedVariables;
  /**
   * Loss and gradients of one task with respect to the trainable weights.
   * @returns the scalar loss `[]`, one gradient per reached weight, by name (its weight's shape), and optionally
   *   `extra`, any float32 tensor the trainer wants back (e.g. the pairs' scores); the worker reads and disposes them.
   */
  gradients(task: Task): MicroBatchGradients;
  /**
   * Optional: answers a query with the replica's current weights and no gradient (e.g. PPO's rollout of some rows of
   * a batch: sampling and scoring forwards). The answer is plain data (typed arrays welcome), posted back by
   * structured clone; no tensor may outlive the call. For the numbers to be one process's, it must compute exactly
   * what the trainer computes for the same query in the main thread.
   */
  evaluate?(query: Query): Answer | Promise<Answer>;
  /** Frees the replica's tensors (called when the worker closes). */
  dispose(): void;
}

/** The loss, gradients and optional extra output of one micro-batch (tensors; the receiver disposes them). */
export interface MicroBatchGradients {
  /** The micro-batch's loss `[]`. */
  value: tf.Scalar;
  /** One gradient per reached trainable weight, by name. */
  grads: Record<string, tf.Tensor>;
  /** Anything else the trainer needs from the same forward pass (float32, any shape; returned flat). */
  extra?: tf.Tensor;
}

/** What a replica module exports (by the name in its {@link ModuleRef}): builds the replica from plain options. */
export type GradientReplicaFactory<Options, Task, Query = never, Answer = never> = (
  options: Options,
) => GradientReplica<Task, Query, Answer> | Promise<GradientReplica<Task, Query, Answer>>;

/** The loss and gradients of one task as they come back from a worker (plain arrays, by weight name). */
export interface TaskGradients {
  /** The task's loss value. */
  value: number;
  /** One flat float32 gradient per reached trainable weight, row-major in its weight's shape. */
  grads: Record<string, Float32Array>;
  /** The replica's `extra` output, flat. */
  extra?: Float32Array;
}
