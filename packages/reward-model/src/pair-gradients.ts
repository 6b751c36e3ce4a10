import {
  type MicroBatchGradients,
  type NamedVariables,
  namedGrads,
  type RewardModel,
  type TokenBatch,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { bradleyTerryLoss } from './bradley-terry';

/** One micro-batch of pairs as a reward-model step differentiates it (plain data: a worker can receive it). */
export interface PairMicroBatch {
  /** `pairTokenBatch` of the micro-batch: the m chosen rows, then the m rejected rows (`[2m, T]`). */
  batch: TokenBatch;
  /** Pairs m. */
  pairs: number;
  /** Each pair's log weight after the step's normalisation; absent = unweighted. */
  logWeights?: number[];
}

/**
 * The weighted Bradley-Terry loss of one micro-batch (summed over its pairs / its size; see `bradleyTerryLoss`) with
 * its gradients by variable name, and the rows' scores `[2m]` (chosen, then rejected) as `extra`. The one computation
 * of a reward-model step, in the trainer's thread and in a data-parallel worker's replica alike.
 */
export function pairGradients(
  rm: RewardModel,
  variables: NamedVariables,
  task: PairMicroBatch,
): MicroBatchGradients {
  const m = task.pairs;
  let scores: tf.Tensor1D | undefined;
  const { value, grads } = namedGrads(variables, () => {
    const all = rm.score(task.batch);
    scores = tf.keep(all.clone());
    return bradleyTerryLoss(all.slice(0, m), all.slice(m, m), task.logWeights);
  });
  return { value, grads, extra: scores };
}
