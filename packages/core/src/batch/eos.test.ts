import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { firstEosIndex, maskThroughFirstEos } from './eos';

describe('firstEosIndex', () => {
  const ids = Int32Array.from([5, 2, 2, 1, /**/ 3, 3, 3, 3, /**/ 2, 0, 0, 0]);
  it('finds the first EOS per row, -1 when none', () => {
    expect(Array.from(firstEosIndex(ids, 3, 4, 2))).toEqual([1, -1, 0]);
  });
  it('works on a list of sequences', () => {
    expect(Array.from(firstEosIndex([[5, 2], [3], []], 2))).toEqual([1, -1, -1]);
  });
  it('checks dimensions', () => {
    expect(() => firstEosIndex(ids, 2, 4, 2)).toThrow(InvalidArgumentError);
  });
});

describe('maskThroughFirstEos', () => {
  it('is 1 through the first EOS and 0 after; all 1 without EOS', () => {
    const ids = Int32Array.from([5, 2, 2, 1, /**/ 3, 3, 3, 3, /**/ 2, 0, 0, 0]);
    expect(Array.from(maskThroughFirstEos(ids, 3, 4, 2))).toEqual([1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
  });
});
