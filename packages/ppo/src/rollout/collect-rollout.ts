import { responseLength, responseMask, type TokenBatch, throwIfAborted } from '@ocrm/core';
import type { PpoConfig } from '../config';
import { computeGae } from '../math/compute-gae';
import { klPenalizedRewards, valueMaskOf } from '../math/kl-penalized-rewards';
import { type RolloutModels, rolloutForwards } from './forward-passes';
import { criticBatch } from './rows';
import { whitenHost } from './whiten-host';

/** RNG stream of rollout sampling: stream `SAMPLE_STREAM_BASE + update` of the run seed. */
export const SAMPLE_STREAM_BASE = 0x50500000;

/** One rollout batch with everything the PPO update needs. Host arrays `[B, T_resp]` unless noted. */
export interface Rollout {
  /** Prompt + response tokens (response mask through the first EOS). */
  batch: TokenBatch;
  /** The batch the critic reads (the `'eosPlus1'` score slot made valid); `batch` itself for `'eos'`. */
  valueBatch: TokenBatch;
  /** Float 0/1 response mask (policy loss, advantage whitening). */
  mask: Float32Array;
  /** Float 0/1 value mask (value loss, GAE). */
  valueMask: Float32Array;
  logpOld: Float32Array;
  valuesOld: Float32Array;
  /** Whitened over valid tokens. */
  advantages: Float32Array;
  returns: Float32Array;
  /** Rollout metrics (`objective/*`, `val/num_eos`, `val/response_length`). */
  metrics: Record<string, number>;
  /** Seconds spent sampling and in the scoring forwards. */
  timing: { sampling: number; scoring: number };
}

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += ((values[i] as number) - mean) ** 2;
  return { mean, std: n > 1 ? Math.sqrt(sq / (n - 1)) : 0 };
}

/** Mean over rows of each row's sum of `data` over `mask`. */
function meanRowSum(data: ArrayLike<number>, mask: ArrayLike<number>, B: number): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) if (mask[i]) sum += data[i] as number;
  return sum / B;
}

/**
 * Samples responses to `prompts` and computes old log-probs, reference log-probs, values, scores, KL-penalised
 * rewards, GAE advantages (whitened) and returns (docs/algorithm.md "PPO rounds").
 * @internal
 */
export async function collectRollout(
  models: RolloutModels,
  prompts: readonly ArrayLike<number>[],
  config: PpoConfig,
  update: number,
  signal?: AbortSignal,
): Promise<Rollout> {
  const t0 = performance.now();
  const sample = await models.policy.sample(prompts, {
    temperature: config.temperature,
    maxNewTokens: config.maxNewTokens,
    lengthMode: 'fixed',
    seed: config.seed,
    stream: SAMPLE_STREAM_BASE + update,
    microBatchSize: config.microBatchSize,
    signal,
  });
  throwIfAborted(signal);
  const t1 = performance.now();
  const { batch } = sample;
  const B = batch.batchSize;
  const R = responseLength(batch);
  const mask = responseMask(batch);
  const valueMask = valueMaskOf(mask, B, config.scorePosition);
  const valueBatch = criticBatch(batch, valueMask);
  const forwards = await rolloutForwards(models, batch, valueBatch, {
    temperature: config.temperature,
    microBatchSize: config.microBatchSize,
    signal,
  });
  const t2 = performance.now();

  const kp = klPenalizedRewards({
    logpPolicy: forwards.logpOld,
    logpRef: forwards.logpRef,
    mask,
    scores: forwards.scores,
    hasEos: sample.hasEos,
    klCoef: config.klCoef,
    scorePosition: config.scorePosition,
    missingEosPenalty: config.missingEosPenalty,
  });
  const rewards = config.whitenRewards ? await whitenHost(kp.rewards, valueMask, [B, R], false) : kp.rewards;
  const valuesOld = forwards.values.map((v, i) => (valueMask[i] ? v : 0));
  const gae = computeGae({
    rewards,
    values: valuesOld,
    mask: valueMask,
    batchSize: B,
    gamma: config.gamma,
    gaeLambda: config.gaeLambda,
  });
  const advantages = await whitenHost(gae.advantages, mask, [B, R]);
  const logpOld = forwards.logpOld.map((v, i) => (mask[i] ? v : 0));

  const scores = meanStd(kp.scores);
  const nonScore = meanRowSum(kp.nonScoreRewards, mask, B);
  let numEos = 0;
  for (let b = 0; b < B; b++) numEos += sample.hasEos[b] ? 1 : 0;
  let validTokens = 0;
  for (let i = 0; i < mask.length; i++) validTokens += mask[i] as number;
  const metrics = {
    'objective/kl': meanRowSum(kp.kl, mask, B),
    'objective/entropy': meanRowSum(forwards.entropy, mask, B),
    'objective/non_score_reward': nonScore,
    'objective/rlhf_reward': scores.mean + nonScore,
    'objective/scores': scores.mean,
    'objective/scores_std': scores.std,
    'objective/rm_scores': meanStd(forwards.scores).mean,
    'val/num_eos': numEos,
    'val/eos_rate': numEos / B,
    'val/response_length': validTokens / B,
  };
  return {
    batch,
    valueBatch,
    mask: Float32Array.from(mask),
    valueMask: Float32Array.from(valueMask),
    logpOld,
    valuesOld,
    advantages,
    returns: gae.returns,
    metrics,
    timing: { sampling: (t1 - t0) / 1000, scoring: (t2 - t1) / 1000 },
  };
}
