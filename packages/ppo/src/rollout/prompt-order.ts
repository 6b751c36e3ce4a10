import { epochOrder } from '@ocrm/core';

/** RNG stream of the prompt order: pass `p` over the prompts uses step `p`. */
export const DATA_STREAM = 0x50520000;

/**
 * Indices of the prompts of rollout `update`: positions `[update·B, (update+1)·B)` of an endless sequence of passes
 * over the prompts, each pass a fresh permutation from `rng(seed, DATA_STREAM, pass)`. A pure function of its
 * arguments, so a resumed run draws the same prompts (the data position is `update · B`).
 * @internal
 */
export function promptIndices(numPrompts: number, batchSize: number, update: number, seed: number): number[] {
  const indexAt = epochOrder(numPrompts, seed, DATA_STREAM);
  return Array.from({ length: batchSize }, (_, i) => indexAt(update * batchSize + i));
}
