import { permutation, rng } from '@ocrm/core';

/** RNG stream of the prompt order: pass `p` over the prompts uses step `p`. */
export const DATA_STREAM = 0x50520000;

/**
 * Indices of the prompts of rollout `update`: positions `[update·B, (update+1)·B)` of an endless sequence of passes
 * over the prompts, each pass a fresh permutation from `rng(seed, DATA_STREAM, pass)`. A pure function of its
 * arguments, so a resumed run draws the same prompts (the data position is `update · B`).
 * @internal
 */
export function promptIndices(numPrompts: number, batchSize: number, update: number, seed: number): number[] {
  const out: number[] = [];
  let position = update * batchSize;
  let pass = -1;
  let order: number[] = [];
  while (out.length < batchSize) {
    const p = Math.floor(position / numPrompts);
    if (p !== pass) {
      pass = p;
      order = permutation(numPrompts, rng(seed, DATA_STREAM, p));
    }
    out.push(order[position % numPrompts] as number);
    position++;
  }
  return out;
}
