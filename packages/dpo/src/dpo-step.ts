import {
  type NamedVariables,
  NumericError,
  namedGrads,
  type Policy,
  type PreferencePair,
  pairTokenBatch,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { DpoConfig } from './config';
import { dpoLoss, ipoLoss, weightedMean } from './losses';
import { splitPairSums } from './pair-batches';
import { policyWpoWeights } from './policy-wpo-weights';

/** Input of {@link preferenceMicroBatchGrads}. */
export interface MicroBatchInput {
  policy: Policy;
  /** The micro-batch's pairs (m). */
  pairs: readonly PreferencePair[];
  /** Reference sums of these pairs, `[m]` each (host, no gradient). */
  refChosen: Float64Array;
  refRejected: Float64Array;
  config: Pick<DpoConfig, 'beta' | 'labelSmoothing' | 'loss' | 'weighting'>;
  /** Pairs of the whole optimizer step: the micro-batch loss is `Σ w ℓ / divisor`, so micro-batch gradients add up. */
  divisor: number;
  /** Variables to differentiate, by stable name (`policy.trainableVariables()`). */
  variables: NamedVariables;
}

/** What one micro-batch contributes. `grads` are new tensors owned by the caller. */
export interface MicroBatchOutput {
  /** Gradients of the micro-batch's share of the step loss, by stable variable name. */
  grads: Record<string, tf.Tensor>;
  /** The micro-batch's share of the step loss (`Σ w ℓ / divisor`). */
  loss: number;
  /** Policy sums log π(y_w), log π(y_l) before the update, `[m]`. */
  policyChosen: Float64Array;
  policyRejected: Float64Array;
  /** WPO weights `[m]` (all 1 without weighting). */
  weights: Float64Array;
}

/**
 * Forward + backward of one micro-batch of pairs: per-pair DPO/IPO loss, weighted (WPO) and divided by the step's
 * pair count; gradients with respect to `variables`. Every intermediate tensor is freed; `grads` are returned.
 * @throws NumericError when the loss is not finite.
 */
export function preferenceMicroBatchGrads(input: MicroBatchInput): MicroBatchOutput {
  const { policy, pairs, config } = input;
  // WPO weights come from a separate forward before the tape: no gradient flows through them.
  const weights =
    config.weighting === 'wpo'
      ? policyWpoWeights(policy, pairs, { microBatchSize: pairs.length })
      : new Float64Array(pairs.length).fill(1);
  const batch = pairTokenBatch(pairs, { padId: policy.padId, eosId: policy.eosId });
  let kept: tf.Tensor | undefined;
  const lossFn = (): tf.Scalar => {
    const { chosen, rejected } = splitPairSums(policy.logProbs(batch, { temperature: 1 }).logProbs);
    kept = tf.keep(tf.stack([chosen, rejected]));
    const sums = {
      policyChosen: chosen,
      policyRejected: rejected,
      refChosen: input.refChosen,
      refRejected: input.refRejected,
    };
    const perPair =
      config.loss === 'ipo'
        ? ipoLoss({ ...sums, beta: config.beta })
        : dpoLoss({ ...sums, beta: config.beta, labelSmoothing: config.labelSmoothing });
    return weightedMean(perPair, config.weighting === 'none' ? undefined : weights, input.divisor);
  };
  const { value, grads } = namedGrads(input.variables, lossFn);
  const loss = value.dataSync()[0]!;
  value.dispose();
  const sums = kept!.dataSync();
  kept!.dispose();
  if (!Number.isFinite(loss)) {
    tf.dispose(Object.values(grads));
    throw new NumericError(`the ${config.loss} loss of a micro-batch is ${loss}`, {
      hint: 'Lower the learning rate, or check the pairs and the reference log-probs.',
    });
  }
  const m = pairs.length;
  return {
    grads,
    loss,
    policyChosen: Float64Array.from(sums.subarray(0, m)),
    policyRejected: Float64Array.from(sums.subarray(m, 2 * m)),
    weights,
  };
}
