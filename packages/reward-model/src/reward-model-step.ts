import {
  type AdamW,
  accumulateMicroBatches,
  clipGradNorm,
  type GradientAccumulator,
  type GradientWorkers,
  type PreferencePair,
  pairTokenBatch,
  type RewardModel,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { pairStats, pairWeights } from './bradley-terry';
import { type PairMicroBatch, pairGradients } from './pair-gradients';
import type { RewardModelConfig } from './reward-model-config';

/** Metrics of one reward-model optimizer step. */
export interface RewardStepMetrics {
  /** Weighted BT loss (the optimised objective). */
  weightedLoss: number;
  /** Unweighted BT loss of the same pairs. */
  unweightedLoss: number;
  /** Fraction of non-tied pairs ranked right; NaN when all tie. */
  accuracy: number;
  /** Mean `r_chosen - r_rejected`. */
  margin: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Largest pair weight of the step (after normalisation). */
  maxWeight: number;
}

/**
 * One optimizer step on a batch of pairs: the step's weights are computed once (normalised over the whole step
 * batch when configured), each micro-batch of pairs is scored in one forward (chosen rows, then rejected rows), its
 * weighted BT loss (summed over its pairs / step size) differentiated, the gradients accumulated, clipped and applied.
 * With `workers` (replicas of `rm`, see `@ocrm/reward-model/replica`) the micro-batches are computed in parallel
 * and added in order: the same numbers bit for bit.
 */
export async function rewardModelStep(
  rm: RewardModel,
  pairs: readonly PreferencePair[],
  padId: number,
  config: RewardModelConfig,
  accumulator: GradientAccumulator,
  optimizer: AdamW,
  lr: number,
  workers?: GradientWorkers<PairMicroBatch>,
): Promise<RewardStepMetrics> {
  const n = pairs.length;
  const hasWeights = pairs.some((p) => p.logWeight !== undefined);
  const weights = hasWeights
    ? pairWeights(
        pairs.map((p) => p.logWeight ?? 0),
        n,
        config.weightNormalization,
      )
    : new Float32Array(n).fill(1);
  const variables = rm.trainableVariables();
  const tasks: PairMicroBatch[] = [];
  const shares: number[] = [];
  for (let start = 0; start < n; start += config.microBatchSize) {
    const part = pairs.slice(start, start + config.microBatchSize);
    const m = part.length;
    tasks.push({
      batch: pairTokenBatch(part, { padId }),
      pairs: m,
      logWeights: hasWeights ? Array.from(weights.subarray(start, start + m), Math.log) : undefined,
    });
    shares.push(m / n);
  }
  const outcomes = await accumulateMicroBatches({
    tasks,
    shares,
    local: (task) => pairGradients(rm, variables, task),
    accumulator,
    variables,
    workers,
  });
  const chosen = new Float32Array(n);
  const rejected = new Float32Array(n);
  let weightedLoss = 0;
  outcomes.forEach(({ value, extra }, k) => {
    const start = k * config.microBatchSize;
    const m = tasks[k]!.pairs;
    chosen.set(extra!.subarray(0, m), start);
    rejected.set(extra!.subarray(m), start);
    weightedLoss += value * shares[k]!;
  });
  const mean = accumulator.take();
  const clipped = clipGradNorm(mean, config.maxGradNorm > 0 ? config.maxGradNorm : Number.POSITIVE_INFINITY);
  optimizer.step(variables, clipped.grads, lr);
  tf.dispose([...Object.values(mean), ...Object.values(clipped.grads)]);
  const stats = pairStats(
    chosen,
    rejected,
    pairs.map((p) => p.tie),
  );
  return {
    weightedLoss,
    unweightedLoss: stats.loss,
    accuracy: stats.accuracy,
    margin: stats.margin,
    gradNorm: clipped.norm,
    maxWeight: weights.reduce((a, b) => Math.max(a, b), 0),
  };
}
