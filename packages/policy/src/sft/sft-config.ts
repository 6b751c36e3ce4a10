import { ConfigError } from '@ocrm/core';
import { checkNumber } from './check-config';

/**
 * Hyper-parameters of supervised fine-tuning (DESIGN §4 "SFT"): next-token cross-entropy on prompt + demonstration
 * (prompt tokens included, padding excluded), AdamW with decoupled weight decay, cosine decay, one epoch.
 */
export interface SftConfig {
  /** Peak learning rate (after warmup), decayed by a cosine to `learningRate * minLearningRateRatio`. */
  learningRate: number;
  /** Fraction of the peak learning rate reached at the end of the cosine. */
  minLearningRateRatio: number;
  /** Linear warmup steps. */
  warmupSteps: number;
  /** Passes over the demonstrations. */
  epochs: number;
  /** Examples per optimizer step. */
  batchSize: number;
  /** Examples per forward/backward; `batchSize / microBatchSize` micro-batches are accumulated (must divide it; default: `batchSize`). */
  microBatchSize: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** AdamW epsilon (the reference's 1e-5). */
  adamEpsilon: number;
  /** AdamW β1. */
  beta1: number;
  /** AdamW β2. */
  beta2: number;
  /** Clip the global gradient norm to this value; 0 = no clipping. */
  maxGradNorm: number;
  /** Truncate prompt+response to this many tokens (the prompt is cut from the left); 0 = no limit. */
  maxSeqLength: number;
  /** Evaluate the held-out loss every N optimizer steps (and at the end); 0 = only at the end. */
  evalEvery: number;
  /** Save a checkpoint every N optimizer steps when `checkpointDir` is given; 0 = never. */
  checkpointEvery: number;
  /** Seed of the data order (core RNG stream 0). */
  seed: number;
}

/** Defaults of {@link SftConfig} (the pipeline's presets override the learning rate and batch sizes per task). */
export const DEFAULT_SFT_CONFIG: Readonly<SftConfig> = Object.freeze({
  learningRate: 3e-4,
  minLearningRateRatio: 0,
  warmupSteps: 0,
  epochs: 1,
  batchSize: 16,
  microBatchSize: 16,
  weightDecay: 0.01,
  adamEpsilon: 1e-5,
  beta1: 0.9,
  beta2: 0.999,
  maxGradNorm: 0,
  maxSeqLength: 0,
  evalEvery: 0,
  checkpointEvery: 0,
  seed: 0,
});

/**
 * Defaults filled in and every field validated.
 * @throws ConfigError naming the bad field (`sft.learningRate`).
 */
export function resolveSftConfig(partial: Partial<SftConfig> = {}): SftConfig {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_SFT_CONFIG)) throw new ConfigError(`sft.${key}`, 'unknown field.');
  }
  const c: SftConfig = { ...DEFAULT_SFT_CONFIG, ...partial };
  if (partial.microBatchSize === undefined) c.microBatchSize = c.batchSize; // no accumulation unless asked
  checkNumber('sft.learningRate', c.learningRate, { min: 0 });
  checkNumber('sft.minLearningRateRatio', c.minLearningRateRatio, { min: 0, max: 1 });
  checkNumber('sft.warmupSteps', c.warmupSteps, { min: 0, integer: true });
  checkNumber('sft.epochs', c.epochs, { min: 0, minExclusive: true });
  checkNumber('sft.batchSize', c.batchSize, { min: 1, integer: true });
  checkNumber('sft.microBatchSize', c.microBatchSize, { min: 1, integer: true });
  if (c.batchSize % c.microBatchSize !== 0) {
    throw new ConfigError(
      'sft.microBatchSize',
      `must divide batchSize (${c.batchSize}), got ${c.microBatchSize}.`,
    );
  }
  checkNumber('sft.weightDecay', c.weightDecay, { min: 0 });
  checkNumber('sft.adamEpsilon', c.adamEpsilon, { min: 0, minExclusive: true });
  checkNumber('sft.beta1', c.beta1, { min: 0, max: 1 });
  checkNumber('sft.beta2', c.beta2, { min: 0, max: 1 });
  checkNumber('sft.maxGradNorm', c.maxGradNorm, { min: 0 });
  checkNumber('sft.maxSeqLength', c.maxSeqLength, { min: 0, integer: true });
  checkNumber('sft.evalEvery', c.evalEvery, { min: 0, integer: true });
  checkNumber('sft.checkpointEvery', c.checkpointEvery, { min: 0, integer: true });
  checkNumber('sft.seed', c.seed, { min: 0, integer: true });
  return c;
}
