import {
  type AdamWCosineConfig,
  ConfigError,
  checkAdamWCosineConfig,
  checkConfigNumber,
  checkRenamedFields,
} from '@ocrm/core';

/**
 * Hyper-parameters of supervised fine-tuning (docs/algorithm.md): next-token cross-entropy on prompt + demonstration
 * (prompt tokens included, padding excluded), AdamW with decoupled weight decay, cosine decay, one epoch. The
 * optimizer fields come from core's {@link AdamWCosineConfig}.
 */
export interface SftConfig extends AdamWCosineConfig {
  /** Passes over the demonstrations. */
  epochs: number;
  /** Examples per optimizer step. */
  batchSize: number;
  /** Examples per forward/backward; `batchSize / microBatchSize` micro-batches are accumulated (must divide it; default: `batchSize`). */
  microBatchSize: number;
  /** Truncate prompt+response to this many tokens (the prompt is cut from the left); 0 = no limit. */
  maxSeqLength: number;
  /** Evaluate the held-out loss every N optimizer steps (and at the end); 0 = only at the end. */
  evalEvery: number;
  /** Save a checkpoint every N optimizer steps when `checkpointDir` is given; 0 = never. */
  checkpointEvery: number;
  /** Seed of the data order (core RNG stream 0). */
  seed: number;
  /**
   * Weight of prompt tokens in the loss (docs/algorithm.md trains on them: 1). 0 is the completion-only loss (TRL's
   * `completion_only_loss`): useful when prompts are unpredictable noise for the model, as the `digest` task's
   * i.i.d. documents are. The train and eval losses are weighted token means.
   */
  promptLossWeight: number;
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
  epsilon: 1e-5,
  beta1: 0.9,
  beta2: 0.999,
  maxGradNorm: 0,
  maxSeqLength: 0,
  evalEvery: 0,
  checkpointEvery: 0,
  seed: 0,
  promptLossWeight: 1,
});

/**
 * Defaults filled in and every field validated.
 * @throws ConfigError naming the bad field (`sft.learningRate`).
 */
export function resolveSftConfig(partial: Partial<SftConfig> = {}): SftConfig {
  checkRenamedFields(partial, 'sft');
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_SFT_CONFIG)) throw new ConfigError(`sft.${key}`, 'unknown field.');
  }
  const c: SftConfig = { ...DEFAULT_SFT_CONFIG, ...partial };
  if (partial.microBatchSize === undefined) c.microBatchSize = c.batchSize; // no accumulation unless asked
  checkAdamWCosineConfig(c, 'sft.');
  checkConfigNumber('sft.epochs', c.epochs, { min: 0, minExclusive: true });
  checkConfigNumber('sft.batchSize', c.batchSize, { min: 1, integer: true });
  checkConfigNumber('sft.microBatchSize', c.microBatchSize, { min: 1, integer: true });
  if (c.batchSize % c.microBatchSize !== 0) {
    throw new ConfigError(
      'sft.microBatchSize',
      `must divide batchSize (${c.batchSize}), got ${c.microBatchSize}.`,
    );
  }
  checkConfigNumber('sft.maxSeqLength', c.maxSeqLength, { min: 0, integer: true });
  checkConfigNumber('sft.evalEvery', c.evalEvery, { min: 0, integer: true });
  checkConfigNumber('sft.checkpointEvery', c.checkpointEvery, { min: 0, integer: true });
  checkConfigNumber('sft.seed', c.seed, { min: 0, integer: true });
  checkConfigNumber('sft.promptLossWeight', c.promptLossWeight, { min: 0, max: 1 });
  return c;
}
