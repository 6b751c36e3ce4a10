import {
  type AdamW,
  clipGradNorm,
  type GradientAccumulator,
  type NamedVariables,
  type Policy,
  type PreferencePair,
  throwIfAborted,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { DpoConfig } from './config';
import { preferenceMicroBatchGrads } from './dpo-step';
import { dpoRewardMetrics } from './metrics';
import type { PairSums } from './pair-batches';

/** Input of {@link trainStep}. */
export interface StepInput {
  policy: Policy;
  pairs: readonly PreferencePair[];
  indices: number[];
  refSums: PairSums;
  config: DpoConfig;
  variables: NamedVariables;
  optimizer: AdamW;
  accumulator: GradientAccumulator;
  lr: number;
  signal?: AbortSignal;
}

/**
 * One optimizer step over the pairs `indices`: micro-batch gradients averaged (weighted by pair count), optional
 * global-norm clip, one AdamW update at `lr`. Returns the step's metrics (policy sums are those before the update).
 * Frees every tensor it creates; checks `signal` between micro-batches.
 */
export function trainStep(input: StepInput): Record<string, number> {
  const { config, indices } = input;
  const n = indices.length;
  const sums = {
    policyChosen: new Float64Array(n),
    policyRejected: new Float64Array(n),
    refChosen: new Float64Array(n),
    refRejected: new Float64Array(n),
  };
  let loss = 0;
  let weightSum = 0;
  for (let start = 0; start < n; start += config.microBatchSize) {
    throwIfAborted(input.signal);
    const ids = indices.slice(start, start + config.microBatchSize);
    const refChosen = Float64Array.from(ids, (i) => input.refSums.chosen[i]!);
    const refRejected = Float64Array.from(ids, (i) => input.refSums.rejected[i]!);
    const out = preferenceMicroBatchGrads({
      policy: input.policy,
      pairs: ids.map((i) => input.pairs[i]!),
      refChosen,
      refRejected,
      config,
      divisor: ids.length,
      variables: input.variables,
    });
    try {
      input.accumulator.add(out.grads, ids.length);
    } finally {
      tf.dispose(Object.values(out.grads));
    }
    loss += out.loss * ids.length;
    weightSum += out.weights.reduce((a, b) => a + b, 0);
    sums.policyChosen.set(out.policyChosen, start);
    sums.policyRejected.set(out.policyRejected, start);
    sums.refChosen.set(refChosen, start);
    sums.refRejected.set(refRejected, start);
  }
  const grads = input.accumulator.take();
  let gradNorm: number;
  try {
    const clipped = clipGradNorm(
      grads,
      config.maxGradNorm > 0 ? config.maxGradNorm : Number.POSITIVE_INFINITY,
    );
    gradNorm = clipped.norm;
    try {
      input.optimizer.step(input.variables, clipped.grads, input.lr);
    } finally {
      tf.dispose(Object.values(clipped.grads));
    }
  } finally {
    tf.dispose(Object.values(grads));
  }
  const metrics: Record<string, number> = { 'loss/dpo': loss / n, ...dpoRewardMetrics(sums, config.beta) };
  if (config.weighting === 'wpo') metrics['wpo/weight_mean'] = weightSum / n;
  metrics['grad/norm'] = gradNorm;
  metrics['train/lr'] = input.lr;
  return metrics;
}
