import {
  type AdamWCosineConfig,
  ConfigError,
  checkAdamWCosineConfig,
  checkConfigNumber,
  checkRenamedFields,
} from '@ocrm/core';
import type { WeightNormalization } from './bradley-terry';

/**
 * Hyper-parameters of reward-model training (docs/algorithm.md): Bradley-Terry loss with per-pair weights
 * `exp(logWeight)`, one epoch, AdamW, cosine decay. The optimizer fields come from core's {@link AdamWCosineConfig}.
 */
export interface RewardModelConfig extends AdamWCosineConfig {
  /** Passes over the labelled pairs (the paper: 1). */
  epochs: number;
  /** Pairs per optimizer step. */
  batchSize: number;
  /** Pairs per forward/backward (2 sequences each); must divide `batchSize` (default: `batchSize`, no accumulation). */
  microBatchSize: number;
  /**
   * `'batch'`: each optimizer step's weights are normalised to mean 1 in log space (the reference normalises by the
   * batch sum; the mean keeps the loss scale independent of batch size). `'none'`: `exp(logWeight)` as given.
   */
  weightNormalization: WeightNormalization;
  /** Evaluate held-out accuracy every N optimizer steps (and at the end); 0 = only at the end. */
  evalEvery: number;
  /** Save a checkpoint every N optimizer steps when `checkpointDir` is given; 0 = never. */
  checkpointEvery: number;
  /** Seed of the data order (core RNG stream 0). */
  seed: number;
}

/** Defaults of {@link RewardModelConfig} (presets override the learning rate and batch sizes per task). */
export const DEFAULT_REWARD_MODEL_CONFIG: Readonly<RewardModelConfig> = Object.freeze({
  learningRate: 1e-4,
  minLearningRateRatio: 0,
  warmupSteps: 0,
  epochs: 1,
  batchSize: 16,
  microBatchSize: 16,
  weightDecay: 0.01,
  epsilon: 1e-5,
  beta1: 0.9,
  beta2: 0.999,
  maxGradNorm: 0,
  weightNormalization: 'batch' as WeightNormalization,
  evalEvery: 0,
  checkpointEvery: 0,
  seed: 0,
});

/**
 * Defaults filled in and every field validated.
 * @throws ConfigError naming the bad field (`rewardModel.batchSize`).
 */
export function resolveRewardModelConfig(partial: Partial<RewardModelConfig> = {}): RewardModelConfig {
  checkRenamedFields(partial, 'rewardModel');
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_REWARD_MODEL_CONFIG)) throw new ConfigError(`rewardModel.${key}`, 'unknown field.');
  }
  const c: RewardModelConfig = { ...DEFAULT_REWARD_MODEL_CONFIG, ...partial };
  if (partial.microBatchSize === undefined) c.microBatchSize = c.batchSize; // no accumulation unless asked
  const p = 'rewardModel.';
  checkAdamWCosineConfig(c, p);
  checkConfigNumber(`${p}epochs`, c.epochs, { min: 0, minExclusive: true });
  checkConfigNumber(`${p}batchSize`, c.batchSize, { min: 1, integer: true });
  checkConfigNumber(`${p}microBatchSize`, c.microBatchSize, { min: 1, integer: true });
  if (c.batchSize % c.microBatchSize !== 0) {
    throw new ConfigError(
      `${p}microBatchSize`,
      `must divide batchSize (${c.batchSize}), got ${c.microBatchSize}.`,
    );
  }
  if (c.weightNormalization !== 'none' && c.weightNormalization !== 'batch') {
    throw new ConfigError(
      `${p}weightNormalization`,
      `expected 'none' or 'batch', got ${String(c.weightNormalization)}.`,
    );
  }
  checkConfigNumber(`${p}evalEvery`, c.evalEvery, { min: 0, integer: true });
  checkConfigNumber(`${p}checkpointEvery`, c.checkpointEvery, { min: 0, integer: true });
  checkConfigNumber(`${p}seed`, c.seed, { min: 0, integer: true });
  return c;
}
