import { batchTensors, gatherLogProbs, type TokenBatch } from '@ocrm/core';
import type { TransformerModel } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { nextTokenTargets } from './sft-data';

/**
 * Summed next-token cross-entropy of a batch over every position whose token and successor are real (prompt
 * included, padding excluded), divided by `normalizer` (default: the number of such tokens, i.e. the token mean).
 * Differentiable with respect to the model's variables.
 *
 * @returns a scalar tensor owned by the caller, and the number of predicted tokens.
 */
export function sftLoss(
  model: TransformerModel,
  batch: TokenBatch,
  normalizer?: number,
): { loss: tf.Scalar; tokens: number } {
  const T = batch.seqLength;
  const { targets, mask, count } = nextTokenTargets(batch);
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

/** Token count of a batch's next-token targets (no tensors). */
export function sftTokenCount(batch: TokenBatch): number {
  return nextTokenTargets(batch).count;
}
