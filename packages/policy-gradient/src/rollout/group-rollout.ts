import {
  type Policy,
  type RewardModel,
  responseLength,
  responseMask,
  sliceBatch,
  type TokenBatch,
  throwIfAborted,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { PolicyGradientConfig } from '../config';
import { groupAdvantages, whitenAdvantages } from '../math/group-advantages';
import { sequenceRewards } from '../math/sequence-rewards';

/** RNG stream of rollout sampling (`stream + update`), apart from the prompt order's and the minibatches'. */
export const SAMPLE_STREAM = 0x47520000;

/** One update's rollout: k responses per prompt, their old and reference log-probs and their advantages. */
export interface GroupRollout {
  /** `B = P·k` rows, prompt g's responses at rows `g·k … g·k + k − 1`. */
  batch: TokenBatch;
  /** `[B, R]` 0/1 response mask. */
  mask: Float32Array;
  /** `[B, R]` policy log-probs at the rollout temperature (full forward, the "old" policy). */
  logpOld: Float32Array;
  /** `[B, R]` reference log-probs at the same temperature. */
  logpRef: Float32Array;
  /** `[B]` advantages. */
  advantages: Float32Array;
  /** Rollout metrics (`objective/*`, `val/*`). */
  metrics: Record<string, number>;
}

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return xs.length === 0 ? 0 : s / xs.length;
};

/**
 * Samples `groupSize` responses to each prompt (fixed length, the paper's setting), reads policy and reference
 * log-probs and reward-model scores (no gradient, `microBatchSize` rows at a time), and turns the group's rewards into
 * advantages (`groupAdvantages`). Deterministic in `(config.seed, update)`.
 * @param prompts - the update's P prompts (each repeated k times here).
 */
export async function collectGroupRollout(
  models: { policy: Policy; reference: Policy; rewardModel: RewardModel },
  prompts: readonly ArrayLike<number>[],
  config: PolicyGradientConfig,
  update: number,
  signal?: AbortSignal,
): Promise<GroupRollout> {
  const k = config.groupSize;
  const rows = prompts.flatMap((p) => Array.from({ length: k }, () => p));
  const sample = await models.policy.sample(rows, {
    temperature: config.temperature,
    maxNewTokens: config.maxNewTokens,
    lengthMode: 'fixed',
    seed: config.seed,
    stream: SAMPLE_STREAM + update,
    microBatchSize: config.microBatchSize,
    signal,
  });
  const { batch } = sample;
  const B = batch.batchSize;
  const R = responseLength(batch);
  const logpOld = new Float32Array(B * R);
  const logpRef = new Float32Array(B * R);
  const entropy = new Float32Array(B * R);
  const scores = new Float32Array(B);
  for (let start = 0; start < B; start += config.microBatchSize) {
    throwIfAborted(signal);
    const part = sliceBatch(batch, start, start + config.microBatchSize);
    const [lp, ref, ent, sc] = tf.tidy(() => {
      const own = models.policy.logProbs(part, { temperature: config.temperature, withEntropy: true });
      const refOut = models.reference.logProbs(part, { temperature: config.temperature });
      refOut.entropy?.dispose();
      return [
        own.logProbs.dataSync(),
        refOut.logProbs.dataSync(),
        (own.entropy ?? tf.zerosLike(own.logProbs)).dataSync(),
        models.rewardModel.score(part).dataSync(),
      ];
    });
    logpOld.set(lp as Float32Array, start * R);
    logpRef.set(ref as Float32Array, start * R);
    entropy.set(ent as Float32Array, start * R);
    scores.set(sc as Float32Array, start);
  }
  const mask = Float32Array.from(responseMask(batch));
  const rewards = sequenceRewards({
    scores,
    hasEos: sample.hasEos,
    logpPolicy: logpOld,
    logpRef,
    mask,
    estimator: config.estimator,
    klCoef: config.klCoef,
    missingEosPenalty: config.missingEosPenalty,
  });
  let advantages = groupAdvantages(rewards.rewards, k, config.estimator);
  if (config.normalizeAdvantages && config.estimator === 'rloo') advantages = whitenAdvantages(advantages);
  let validTokens = 0;
  let entropySum = 0;
  for (let i = 0; i < mask.length; i++) {
    validTokens += mask[i]!;
    entropySum += mask[i]! * entropy[i]!;
  }
  let eos = 0;
  for (let b = 0; b < B; b++) eos += sample.hasEos[b] ? 1 : 0;
  const kl = mean(rewards.kl);
  return {
    batch,
    mask,
    logpOld,
    logpRef,
    advantages: Float32Array.from(advantages),
    metrics: {
      'objective/scores': mean(rewards.scores),
      'objective/rm_scores': mean(scores),
      'objective/kl': kl,
      'objective/entropy': entropySum / B,
      'objective/rlhf_reward': mean(rewards.scores) - config.klCoef * kl,
      'val/num_eos': eos,
      'val/eos_rate': eos / B,
      'val/response_length': validTokens / B,
    },
  };
}
