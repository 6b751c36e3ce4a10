import { batchTensors, gatherLogProbs, type TokenBatch } from '@ocrm/core';
import type { TransformerModel } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { nextTokenTargets } from './sft-data';

/**
 * Summed next-token cross-entropy of a batch over every position whose token and successor are real (padding
 * excluded; prompt targets weighted by `promptLossWeight`, default 1), divided by `normalizer` (default: the summed
 * weights, i.e. the weighted token mean). Differentiable with respect to the model's variables.
 *
 * @param batch prompt + response rows `[B, T]`.
 * @returns a scalar tensor owned by the caller, and the summed target weights (the token count at weight 1).
 */
export function sftLoss(
  model: TransformerModel,
  batch: TokenBatch,
  normalizer?: number,
  promptLossWeight = 1,
): { loss: tf.Scalar; tokens: number } {
  const T = batch.seqLength;
  const { targets, mask, count } = nextTokenTargets(batch, promptLossWeight);
  if (count === 0 || T < 2) return { loss: tf.scalar(0), tokens: 0 };
  const loss = tf.tidy(() => {
    const input = batchTensors(batch);
    const { logits, hidden } = model.forward({
      inputIds: input.ids,
      attentionMask: input.mask,
      positionIds: input.positions,
      logits: { start: 0, end: T - 1 },
    });
    hidden.dispose();
    const shape: [number, number] = [batch.batchSize, T - 1];
    const logProbs = gatherLogProbs(logits!, tf.tensor2d(targets, shape, 'int32'));
    const total = tf.sum(tf.mul(logProbs, tf.tensor2d(mask, shape)));
    return tf.div(tf.neg(total), normalizer ?? count) as tf.Scalar;
  });
  return { loss, tokens: count };
}

/** Summed target weights of a batch (its token count at `promptLossWeight` 1; no tensors). */
export function sftTokenCount(batch: TokenBatch, promptLossWeight = 1): number {
  return nextTokenTargets(batch, promptLossWeight).count;
}
