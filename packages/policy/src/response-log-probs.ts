import {
  batchTensors,
  entropyFromLogits,
  gatherLogProbs,
  InvalidArgumentError,
  type LogProbOptions,
  logSumSquaredProbs,
  type ResponseLogProbs,
  responseIds,
  responseMask,
  type TokenBatch,
  type TokenStats,
} from '@ocrm/core';
import type { TransformerModel } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';

/** Tensors of the response part: ids (0 where masked) and the boolean mask, both `[B, T_resp]`. */
function responseTensors(batch: TokenBatch): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const R = batch.seqLength - batch.promptLength;
  const ids = responseIds(batch);
  const maskU8 = responseMask(batch);
  for (let i = 0; i < ids.length; i++) if (!maskU8[i]) ids[i] = 0;
  return {
    ids: tf.tensor2d(ids, [batch.batchSize, R], 'int32'),
    mask: tf.tensor2d(maskU8, [batch.batchSize, R], 'bool'),
  };
}

/** `x` where `mask`, exactly +0 elsewhere (a product with 0 would leave -0); differentiable in `x`. */
function masked(x: tf.Tensor, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.where(mask, x, tf.zerosLike(x)) as tf.Tensor2D;
}

/**
 * Logits `[B, T_resp, V]` predicting the response tokens: one full forward over `[B, T]` with the LM head applied only
 * at positions `[promptLength - 1, T - 1)` (response token t is predicted at `promptLength - 1 + t`).
 * Call inside a `tf.tidy` (returns a new tensor; intermediates of the forward are the caller's tidy's).
 */
export function responseLogits(model: TransformerModel, batch: TokenBatch): tf.Tensor3D {
  const { promptLength: P, seqLength: T } = batch;
  if (P < 1) {
    throw new InvalidArgumentError(
      'logProbs: the batch has no prompt position to predict the first response token.',
      {
        hint: 'Give every prompt at least one token (e.g. a BOS).',
      },
    );
  }
  const { ids, mask, positions } = batchTensors(batch);
  const { logits } = model.forward({
    inputIds: ids,
    attentionMask: mask,
    positionIds: positions,
    logits: { start: P - 1, end: T - 1 },
  });
  return logits as tf.Tensor3D;
}

/**
 * Per response token log-probs of `softmax(logits / temperature)` from one full forward, 0 at masked positions;
 * optionally the per-token entropy of that distribution. Differentiable with respect to the model's variables.
 *
 * @returns tensors `[B, T_resp]` owned by the caller.
 */
export function responseLogProbs(
  model: TransformerModel,
  batch: TokenBatch,
  options: LogProbOptions,
): ResponseLogProbs {
  const { temperature } = options;
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError(`logProbs: temperature must be a finite number > 0, got ${temperature}.`);
  }
  const R = batch.seqLength - batch.promptLength;
  if (R === 0) {
    const empty = (): tf.Tensor2D => tf.zeros([batch.batchSize, 0]);
    return options.withEntropy ? { logProbs: empty(), entropy: empty() } : { logProbs: empty() };
  }
  return tf.tidy(() => {
    const { ids, mask } = responseTensors(batch);
    const logits = responseLogits(model, batch);
    const logProbs = masked(gatherLogProbs(logits, ids, { temperature }), mask);
    if (!options.withEntropy) return { logProbs };
    const entropy = masked(entropyFromLogits(logits, temperature), mask);
    return { logProbs, entropy };
  });
}

/**
 * Per response token `log π(y_t)` and `log Σ_v π(v)²` at temperature 1 (WPO), 0 at masked positions.
 * @returns tensors `[B, T_resp]` owned by the caller.
 */
export function responseTokenStats(model: TransformerModel, batch: TokenBatch): TokenStats {
  const R = batch.seqLength - batch.promptLength;
  if (R === 0)
    return { logProbs: tf.zeros([batch.batchSize, 0]), logSumSquares: tf.zeros([batch.batchSize, 0]) };
  return tf.tidy(() => {
    const { ids, mask } = responseTensors(batch);
    const logits = responseLogits(model, batch);
    return {
      logProbs: masked(gatherLogProbs(logits, ids), mask),
      logSumSquares: masked(logSumSquaredProbs(logits), mask),
    };
  });
}
