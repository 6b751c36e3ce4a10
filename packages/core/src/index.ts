/**
 * @packageDocumentation
 * `@ocrm/core`: the stage contracts of OCRM (versioned TypeScript interfaces), tensor helpers, backend selection,
 * counter-based RNG, safetensors IO, training plumbing (AdamW, schedules, checkpoints), run-directory IO, events and
 * errors. Every other `@ocrm/*` package builds on it; stage packages meet only through these contracts.
 */
export * from './contracts/index';
export * from './errors';
