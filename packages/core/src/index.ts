/**
 * @packageDocumentation
 * `@ocrm/core`: the stage contracts of OCRM (versioned TypeScript interfaces), tensor helpers, counter-based RNG, safetensors IO, training plumbing (AdamW, schedules, checkpoints), run-directory IO, events and
 * errors. Every other `@ocrm/*` package builds on it; stage packages meet only through these contracts.
 */

export * from './batch/index';
export { type PairTokenBatchOptions, pairTokenBatch, throughFirstEos } from './batch/pair-token-batch';
export { type ConfigNumberBounds, checkConfigNumber } from './config/check-config-number';
export * from './contracts/index';
export * from './errors';
export {
  type AdamWCosineConfig,
  checkAdamWCosineConfig,
  checkRenamedFields,
  createAdamWCosine,
  RENAMED_OPTIMIZER_FIELDS,
} from './optim/adamw-cosine';
export * from './optim/index';
export { loadCheckpointIfPresent } from './optim/load-checkpoint-if-present';
export { namedGrads } from './optim/named-grads';
export * from './parallel/index';
export { epochOrder } from './rng/epoch-order';
export * from './rng/index';
export * from './run-io/index';
export * from './safetensors/index';
export * from './tensor/index';
