import {
  accumulateMicroBatches,
  GradientAccumulator,
  type GradientWorkers,
  type NamedVariables,
  type Policy,
  permutation,
  rng,
  throwIfAborted,
  type ValueModel,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { PpoConfig } from '../config';
import type { Rollout } from '../rollout/collect-rollout';
import { type PpoMicroBatch, ppoMicroBatch, ppoMicroBatchGradients } from './ppo-micro-batch';

/** RNG stream of the minibatch permutations: step `update * ppoEpochs + epoch`. */
export const PERMUTATION_STREAM = 0x50510000;

/** Applies one optimizer step with gradients keyed like `variables` (`policy/…`, `critic/…`). Must not dispose them. */
export type OptimizerStep = (grads: Record<string, tf.Tensor>) => void;

/** Input of {@link ppoUpdate}. */
export interface PpoUpdateInput {
  policy: Policy;
  critic: ValueModel;
  rollout: Rollout;
  config: PpoConfig;
  /** 0-based update index (selects the permutations). */
  update: number;
  /** Trainable variables of policy and critic under prefixed names. */
  variables: NamedVariables;
  step: OptimizerStep;
  signal?: AbortSignal;
  /** Data-parallel workers holding replicas of policy and critic (`@ocrm/ppo/replica`); absent = one thread. */
  workers?: GradientWorkers<PpoMicroBatch, unknown, unknown>;
}

const STAT_NAMES = [
  'loss/policy',
  'loss/value',
  'policy/clipfrac',
  'val/clipfrac',
  'policy/approxkl',
  'val/ratio',
];

/**
 * The PPO optimisation phase on one rollout batch: `ppoEpochs` passes, each over a fresh permutation cut into
 * `numMinibatches` minibatches; each minibatch's gradient is accumulated over micro-batches of `microBatchSize`
 * rows (core `accumulateMicroBatches`, each micro-batch weighted by its share of the minibatch's rows; with `workers`
 * computed in parallel, the same numbers), then one optimizer step. Loss =
 * policy loss + `vfCoef` × value loss. Statistics stay on the device until one read at the end.
 *
 * @returns the update's loss metrics, averaged over minibatches (`loss/policy`, `loss/value`, `policy/clipfrac`,
 *   `val/clipfrac`, `policy/approxkl`, `val/ratio`) and `loss/total`. No tensor outlives the call.
 * @internal
 */
export async function ppoUpdate(input: PpoUpdateInput): Promise<Record<string, number>> {
  const { policy, critic, rollout, config, update, variables, step, signal, workers } = input;
  const B = rollout.batch.batchSize;
  const mbRows = B / config.numMinibatches;
  const accumulator = new GradientAccumulator();
  let statSum = tf.zeros([STAT_NAMES.length]);
  try {
    for (let epoch = 0; epoch < config.ppoEpochs; epoch++) {
      const order = permutation(B, rng(config.seed, PERMUTATION_STREAM, update * config.ppoEpochs + epoch));
      for (let mb = 0; mb < config.numMinibatches; mb++) {
        await new Promise((resolve) => setImmediate(resolve)); // let timers and abort signals in
        throwIfAborted(signal);
        const rows = order.slice(mb * mbRows, (mb + 1) * mbRows);
        const tasks: PpoMicroBatch[] = [];
        const shares: number[] = [];
        for (let start = 0; start < mbRows; start += config.microBatchSize) {
          const micro = rows.slice(start, start + config.microBatchSize);
          tasks.push(ppoMicroBatch(rollout, micro));
          shares.push(micro.length / mbRows);
        }
        const outcomes = await accumulateMicroBatches({
          tasks,
          shares,
          local: (task) => ppoMicroBatchGradients(policy, critic, variables, task, config),
          accumulator,
          variables,
          workers,
        });
        for (const [i, { extra }] of outcomes.entries()) {
          const nextStats = tf.tidy(() => tf.add(statSum, tf.mul(tf.tensor1d(extra!), shares[i]!)));
          statSum.dispose();
          statSum = nextStats;
        }
        const summed = accumulator.take();
        try {
          step(summed);
        } finally {
          tf.dispose(Object.values(summed));
        }
      }
    }
  } catch (error) {
    statSum.dispose();
    throw error;
  } finally {
    accumulator.dispose();
  }
  const steps = config.ppoEpochs * config.numMinibatches;
  const data = await statSum.data();
  statSum.dispose();
  const metrics: Record<string, number> = {};
  STAT_NAMES.forEach((name, i) => {
    metrics[name] = (data[i] as number) / steps;
  });
  metrics['loss/total'] =
    (metrics['loss/policy'] as number) + config.vfCoef * (metrics['loss/value'] as number);
  return metrics;
}
