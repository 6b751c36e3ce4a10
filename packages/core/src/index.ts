/**
 * @packageDocumentation
 * `@ocrm/core`: the stage contracts of OCRM (versioned TypeScript interfaces), tensor helpers, backend selection,
 * counter-based RNG, safetensors IO, training plumbing (AdamW, schedules, checkpoints), run-directory IO, events and
 * errors. Every other `@ocrm/*` package builds on it; stage packages meet only through these contracts.
 */
export * from './contracts/index';
export * from './errors';
export * from './rng/index';
export * from './safetensors/index';
export * from './run-io/index';
export * from './batch/index';
export * from './tensor/index';
export * from './optim/index';
export * from './backend/index';
