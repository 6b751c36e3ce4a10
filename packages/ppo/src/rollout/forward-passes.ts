import {
  type Policy,
  type RewardModel,
  responseLength,
  ShapeError,
  sliceBatch,
  type TokenBatch,
  throwIfAborted,
  type ValueModel,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/** Models whose no-gradient forwards a rollout needs. */
export interface RolloutModels {
  policy: Policy;
  reference: Policy;
  critic: ValueModel;
  rewardModel: RewardModel;
}

/** Host outputs of {@link rolloutForwards}, each `[B, T_resp]` except `scores` `[B]`. */
export interface RolloutForwards {
  /** Policy log-probs at the rollout temperature (the PPO "old" log-probs). */
  logpOld: Float32Array;
  /** Per-token entropy of the tempered policy distribution. */
  entropy: Float32Array;
  /** KL-reference log-probs at the rollout temperature. */
  logpRef: Float32Array;
  /** Critic values on `valueBatch`. */
  values: Float32Array;
  /** Reward-model scores. */
  scores: Float32Array;
}

function expectShape(name: string, t: tf.Tensor, shape: number[]): void {
  if (!tf.util.arraysEqual(t.shape, shape)) {
    throw new ShapeError(`PPO rollout: ${name} returned shape [${t.shape}], expected [${shape}].`);
  }
}

/**
 * The rollout's four full forwards (policy, reference, critic, reward model), `microBatchSize` rows at a time, one
 * `tf.tidy` and one read-back per micro-batch, no gradients.
 * @internal
 */
export async function rolloutForwards(
  models: RolloutModels,
  batch: TokenBatch,
  valueBatch: TokenBatch,
  options: { temperature: number; microBatchSize: number; signal?: AbortSignal },
): Promise<RolloutForwards> {
  const B = batch.batchSize;
  const R = responseLength(batch);
  const out: RolloutForwards = {
    logpOld: new Float32Array(B * R),
    entropy: new Float32Array(B * R),
    logpRef: new Float32Array(B * R),
    values: new Float32Array(B * R),
    scores: new Float32Array(B),
  };
  const { temperature, microBatchSize } = options;
  for (let start = 0; start < B; start += microBatchSize) {
    throwIfAborted(options.signal);
    const part = sliceBatch(batch, start, start + microBatchSize);
    const valuePart = valueBatch === batch ? part : sliceBatch(valueBatch, start, start + microBatchSize);
    const n = part.batchSize;
    const tensors = tf.tidy(() => {
      const policyOut = models.policy.logProbs(part, { temperature, withEntropy: true });
      const entropy = policyOut.entropy ?? tf.zerosLike(policyOut.logProbs);
      const ref = models.reference.logProbs(part, { temperature });
      ref.entropy?.dispose();
      const values = models.critic.values(valuePart);
      const scores = models.rewardModel.score(part);
      expectShape('policy.logProbs', policyOut.logProbs, [n, R]);
      expectShape('reference.logProbs', ref.logProbs, [n, R]);
      expectShape('critic.values', values, [n, R]);
      expectShape('rewardModel.score', scores, [n]);
      // One read-back: [4n*R + n].
      return tf.concat([
        tf.reshape(policyOut.logProbs, [-1]),
        tf.reshape(entropy, [-1]),
        tf.reshape(ref.logProbs, [-1]),
        tf.reshape(values, [-1]),
        tf.cast(scores, 'float32'),
      ]);
    });
    let data: Float32Array;
    try {
      data = (await tensors.data()) as Float32Array;
    } finally {
      tensors.dispose();
    }
    const size = n * R;
    out.logpOld.set(data.subarray(0, size), start * R);
    out.entropy.set(data.subarray(size, 2 * size), start * R);
    out.logpRef.set(data.subarray(2 * size, 3 * size), start * R);
    out.values.set(data.subarray(3 * size, 4 * size), start * R);
    out.scores.set(data.subarray(4 * size, 4 * size + n), start);
  }
  return out;
}
