import {
  type GradientWorkers,
  type NamedVariables,
  type RowRange,
  responseLength,
  responseMask,
  type TokenBatch,
} from '@ocrm/core';
import type { PpoConfig } from '../config';
import { computeGae } from '../math/compute-gae';
import { klPenalizedRewards, valueMaskOf } from '../math/kl-penalized-rewards';
import type { RolloutModels } from './forward-passes';
import { mergeRolloutParts } from './merge-rollout-parts';
import { type RolloutPart, type RolloutQuery, rolloutPart } from './rollout-part';
import { criticBatch } from './rows';
import { whitenHost } from './whiten-host';

/**
 * Worker threads that take a share of every rollout: their replicas (`@ocrm/ppo/replica`) hold copies of the
 * policy, the critic, the reference and the reward model.
 */
export interface RolloutWorkers {
  /** Their gradient tasks do not matter here (PPO's micro-batches). */
  workers: GradientWorkers<unknown, RolloutQuery, RolloutPart>;
  /** The trainable variables (`policy/…`, `critic/…`): posted before each rollout, so the copies are current. */
  variables: NamedVariables;
}

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
  /**
   * Seconds: this thread's sampling, and the rest until every row is scored (its scoring forwards, then waiting for
   * the workers' shares).
   */
  timing: { sampling: number; scoring: number };
}

/**
 * The rows of each share of a rollout of `B` rows: whole micro-batches, contiguous, `parts` shares as equal as
 * possible (the first ones larger), fewer when there are fewer micro-batches.
 * @internal
 */
export function rolloutShares(B: number, microBatchSize: number, parts: number): RowRange[] {
  const micro = Math.ceil(B / microBatchSize);
  const n = Math.max(1, Math.min(parts, micro));
  const ranges: RowRange[] = [];
  let at = 0;
  for (let p = 0; p < n; p++) {
    const size = Math.floor(micro / n) + (p < micro % n ? 1 : 0);
    ranges.push({ start: at * microBatchSize, end: Math.min(B, (at + size) * microBatchSize) });
    at += size;
  }
  return ranges;
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
 * rewards, GAE advantages (whitened) and returns (docs/algorithm.md "PPO rounds"). With `workers`, the later shares
 * of the rows ({@link rolloutShares}) are sampled and scored in the worker threads while this thread does the first:
 * the same numbers bit for bit (each row's random numbers and each micro-batch are those of one thread).
 * @internal
 */
export async function collectRollout(
  models: RolloutModels,
  prompts: readonly ArrayLike<number>[],
  config: PpoConfig,
  update: number,
  options: { signal?: AbortSignal; workers?: RolloutWorkers } = {},
): Promise<Rollout> {
  const { signal, workers } = options;
  const t0 = performance.now();
  const shares = rolloutShares(prompts.length, config.microBatchSize, 1 + (workers?.workers.size ?? 0));
  let remote: Promise<RolloutPart>[] = [];
  if (workers && shares.length > 1) {
    workers.workers.sync(workers.variables);
    const all = prompts.map((p) => Int32Array.from(p)); // posted by copy: never a view of a larger buffer
    remote = shares.slice(1).map((rows, w) => workers.workers.evaluate(w, { prompts: all, rows, update }));
    // A failure surfaces through the await below; never as an unhandled rejection if this thread throws first.
    for (const p of remote) p.catch(() => undefined);
  }
  const local = await rolloutPart(models, prompts, shares[0]!, config, update, signal);
  const { sample, forwards } = mergeRolloutParts([local, ...(await Promise.all(remote))], shares);
  const t2 = performance.now();
  const { batch } = sample;
  const B = batch.batchSize;
  const R = responseLength(batch);
  const mask = responseMask(batch);
  const valueMask = valueMaskOf(mask, B, config.scorePosition);
  const valueBatch = criticBatch(batch, valueMask);

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
    'rollout/worker_rows': B - (shares[0]!.end - shares[0]!.start),
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
    timing: { sampling: local.timing.sampling, scoring: (t2 - t0) / 1000 - local.timing.sampling },
  };
}
