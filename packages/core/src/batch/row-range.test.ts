import { describe, expect, it } from 'vitest';
import { resolveRowRange } from './row-range';

describe('resolveRowRange', () => {
  it('defaults to every row and passes a valid range through', () => {
    expect(resolveRowRange(undefined, 5, 'sample')).toEqual({ start: 0, end: 5 });
    expect(resolveRowRange({ start: 2, end: 5 }, 5, 'sample')).toEqual({ start: 2, end: 5 });
  });

  it('names the caller and the bounds for an empty, reversed, fractional or out-of-range range', () => {
    for (const bad of [
      { start: 2, end: 2 },
      { start: 3, end: 1 },
      { start: 0.5, end: 2 },
      { start: -1, end: 2 },
      { start: 0, end: 6 },
    ]) {
      expect(() => resolveRowRange(bad, 5, 'sample')).toThrow(
        `sample: \`rows\` must be integers with 0 ≤ start < end ≤ 5 (the prompts), got [${bad.start}, ${bad.end}).`,
      );
    }
  });
});
