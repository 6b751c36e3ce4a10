import { describe, expect, it } from 'vitest';
import { promptIndices } from './prompt-order';

describe('promptIndices', () => {
  it('walks through permuted passes over the prompts, deterministically', () => {
    const first = [0, 1, 2].flatMap((u) => promptIndices(5, 4, u, 7)); // 12 positions = 2.4 passes
    expect([...first.slice(0, 5)].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...first.slice(5, 10)].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(promptIndices(5, 4, 2, 7)).toEqual(first.slice(8, 12));
    expect(promptIndices(5, 4, 1, 8)).not.toEqual(first.slice(4, 8));
  });
});
