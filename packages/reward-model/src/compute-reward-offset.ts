import { buildTokenBatch, InvalidArgumentError, type RewardModel } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/** Options of {@link computeRewardOffset}. */
export interface RewardOffsetOptions {
  /** PAD id for the batches (default 0). */
  padId?: number;
  /** Sequences per forward (default 16). */
  batchSize?: number;
}

/**
 * Reward centring (docs/algorithm.md): the mean RAW score (the model's current offset added back) of the reference
 * responses. Store it with `rm.rewardOffset = await computeRewardOffset(...)`; scores are then centred on the
 * references. No gradients; no tensor outlives the call.
 *
 * @param promptIds Unpadded prompt ids, one per reference.
 * @param referenceIds Reference response ids, EOS appended (as the policy's responses end).
 */
export async function computeRewardOffset(
  rm: RewardModel & { rewardOffset?: number },
  promptIds: readonly ArrayLike<number>[],
  referenceIds: readonly ArrayLike<number>[],
  options: RewardOffsetOptions = {},
): Promise<number> {
  if (promptIds.length !== referenceIds.length || promptIds.length === 0) {
    throw new InvalidArgumentError(
      `computeRewardOffset: needs one reference per prompt and at least one (${promptIds.length} prompts, ${referenceIds.length} references).`,
    );
  }
  const batchSize = options.batchSize ?? 16;
  let sum = 0;
  for (let start = 0; start < promptIds.length; start += batchSize) {
    const batch = buildTokenBatch({
      prompts: promptIds.slice(start, start + batchSize),
      responses: referenceIds.slice(start, start + batchSize),
      padId: options.padId ?? 0,
    });
    const scores = tf.tidy(() => rm.score(batch));
    const data = await scores.data();
    scores.dispose();
    for (const s of data) sum += s;
  }
  return sum / promptIds.length + (rm.rewardOffset ?? 0);
}
