import { type PreferencePair, pairTokenBatch, type RewardModel, throwIfAborted } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { type PairStats, pairStats } from './bradley-terry';

/** Host rewards of both sides of every pair, `[N]` each. */
export interface PairRewards {
  chosen: Float32Array;
  rejected: Float32Array;
}

/**
 * Scores both responses of every pair (no gradients), `microBatchSize` pairs per forward (2 sequences each).
 * @returns host arrays; no tensor outlives the call.
 */
export async function scorePairs(
  rm: RewardModel,
  pairs: readonly PreferencePair[],
  padId: number,
  microBatchSize = 16,
  signal?: AbortSignal,
): Promise<PairRewards> {
  const chosen = new Float32Array(pairs.length);
  const rejected = new Float32Array(pairs.length);
  for (let start = 0; start < pairs.length; start += microBatchSize) {
    throwIfAborted(signal);
    const part = pairs.slice(start, start + microBatchSize);
    const scores = tf.tidy(() => rm.score(pairTokenBatch(part, { padId })));
    const data = (await scores.data()) as Float32Array;
    scores.dispose();
    chosen.set(data.subarray(0, part.length), start);
    rejected.set(data.subarray(part.length), start);
  }
  return { chosen, rejected };
}

/**
 * Held-out evaluation of a reward model on labelled pairs: accuracy (`r_chosen > r_rejected`, gold ties excluded),
 * unweighted Bradley-Terry loss and mean margin.
 */
export async function evaluatePairs(
  rm: RewardModel,
  pairs: readonly PreferencePair[],
  padId: number,
  microBatchSize = 16,
  signal?: AbortSignal,
): Promise<PairStats> {
  const { chosen, rejected } = await scorePairs(rm, pairs, padId, microBatchSize, signal);
  return pairStats(
    chosen,
    rejected,
    pairs.map((p) => p.tie),
  );
}
