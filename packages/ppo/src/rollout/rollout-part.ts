import { type RowRange, responseMask, type SampleResult, throwIfAborted } from '@ocrm/core';
import type { PpoConfig } from '../config';
import { valueMaskOf } from '../math/kl-penalized-rewards';
import { type RolloutForwards, type RolloutModels, rolloutForwards } from './forward-passes';
import { criticBatch } from './rows';

/** RNG stream of rollout sampling: stream `SAMPLE_STREAM_BASE + update` of the run seed. */
export const SAMPLE_STREAM_BASE = 0x50500000;

/** The config fields a share of a rollout reads (plain data: a worker thread gets them once). */
export type RolloutPartConfig = Pick<
  PpoConfig,
  'temperature' | 'maxNewTokens' | 'seed' | 'microBatchSize' | 'scorePosition'
>;

/** Some rows of an update's rollout, sampled and scored: the sample's rows and their four forwards. Host arrays. */
export interface RolloutPart {
  /** Rows `[start, end)` of the update's sample (prompts padded to the longest of all the update's prompts). */
  sample: SampleResult;
  /** The forwards of these rows (`[rows, T_resp]`, scores `[rows]`). */
  forwards: RolloutForwards;
  /** Seconds spent sampling these rows and in their scoring forwards. */
  timing: { sampling: number; scoring: number };
}

/** What a worker thread is asked for: rows of an update's rollout (`@ocrm/ppo/replica`'s `evaluate`). */
export interface RolloutQuery {
  /** Every prompt of the update (the padding depends on all of them). */
  prompts: ArrayLike<number>[];
  rows: RowRange;
  /** 0-based update index (selects the sampling stream). */
  update: number;
}

/**
 * Samples rows `rows` of the update's rollout (policy `sample` with `rows`, so each row's tokens are those of sampling
 * the whole batch) and runs the four forwards on them, `microBatchSize` rows at a time. With `rows` starting at a
 * multiple of `microBatchSize`, every micro-batch is one of the whole batch's: the same numbers bit for bit, in
 * whichever thread it runs.
 * @internal
 */
export async function rolloutPart(
  models: RolloutModels,
  prompts: readonly ArrayLike<number>[],
  rows: RowRange,
  config: RolloutPartConfig,
  update: number,
  signal?: AbortSignal,
): Promise<RolloutPart> {
  const t0 = performance.now();
  const sample = await models.policy.sample(prompts, {
    temperature: config.temperature,
    maxNewTokens: config.maxNewTokens,
    lengthMode: 'fixed',
    seed: config.seed,
    stream: SAMPLE_STREAM_BASE + update,
    microBatchSize: config.microBatchSize,
    rows,
    signal,
  });
  throwIfAborted(signal);
  const t1 = performance.now();
  const { batch } = sample;
  const valueMask = valueMaskOf(responseMask(batch), batch.batchSize, config.scorePosition);
  const forwards = await rolloutForwards(models, batch, criticBatch(batch, valueMask), {
    temperature: config.temperature,
    microBatchSize: config.microBatchSize,
    signal,
  });
  return {
    sample,
    forwards,
    timing: { sampling: (t1 - t0) / 1000, scoring: (performance.now() - t1) / 1000 },
  };
}
