import { describe, expect, it } from 'vitest';
import { argmax, chooseToken as choose } from './choose-token';

const chooseToken = (...args: Parameters<typeof choose>) => choose(...args).token;

import { finalizeResponses } from './finalize-responses';

const probs = [0.1, 0.5, 0.15, 0.25];
const logProbs = probs.map(Math.log);

describe('chooseToken', () => {
  it('inverts the cumulative distribution (cdf 0.1, 0.6, 0.75, 1.0)', () => {
    expect(chooseToken(logProbs, 0)).toBe(0);
    expect(chooseToken(logProbs, 0.099)).toBe(0);
    expect(chooseToken(logProbs, 0.1001)).toBe(1);
    expect(chooseToken(logProbs, 0.6001)).toBe(2);
    expect(chooseToken(logProbs, 0.7501)).toBe(3);
    expect(chooseToken(logProbs, 0.999999)).toBe(3);
  });

  it('top-k keeps the k most likely tokens and renormalises', () => {
    // kept [1 (0.5), 3 (0.25)]: cdf over kept mass 0.75 → 0.667, 1.0
    expect(chooseToken(logProbs, 0.6, { topK: 2 })).toBe(1);
    expect(chooseToken(logProbs, 0.7, { topK: 2 })).toBe(3);
    for (let i = 0; i < 20; i++) expect([1, 3]).toContain(chooseToken(logProbs, i / 20, { topK: 2 }));
    expect(chooseToken(logProbs, 0.99, { topK: 1 })).toBe(1);
    expect(choose(logProbs, 0.7, { topK: 2 }).logKeptMass).toBeCloseTo(Math.log(0.75), 6);
    expect(choose(logProbs, 0.7).logKeptMass).toBe(0);
  });

  it('top-p keeps the smallest most-likely set reaching p; the top token always stays', () => {
    // sorted 0.5, 0.25, 0.15, 0.1: p = 0.7 keeps {1, 3} (0.75 ≥ 0.7)
    for (let i = 0; i < 20; i++) expect([1, 3]).toContain(chooseToken(logProbs, i / 20, { topP: 0.7 }));
    expect(chooseToken(logProbs, 0.999, { topP: 0.01 })).toBe(1);
    expect(chooseToken(logProbs, 0.999, { topP: 1 })).toBe(3);
  });

  it('reads a row at an offset and never picks a zero-probability token', () => {
    const rows = [
      ...logProbs,
      Math.log(0.5),
      Number.NEGATIVE_INFINITY,
      Math.log(0.5),
      Number.NEGATIVE_INFINITY,
    ];
    expect(chooseToken(rows, 0.9999, {}, 4, 4)).toBe(2);
    expect(chooseToken(rows, 0, {}, 4, 4)).toBe(0);
  });
});

describe('argmax', () => {
  it('takes the first maximum', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(argmax([0, 0, 5, 9, 1], 1, 3)).toBe(2);
  });
});

describe('finalizeResponses', () => {
  it('pads everything after the first EOS and flags rows that ended', () => {
    const eos = 2;
    const pad = 0;
    const out = finalizeResponses([5, 2, 7, 2, 5, 6, 7, 8, 2, 3, 3, 3], 3, eos, pad);
    expect(Array.from(out.ids)).toEqual([5, 2, 0, 0, 5, 6, 7, 8, 2, 0, 0, 0]);
    expect(Array.from(out.mask)).toEqual([1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(out.hasEos)).toEqual([1, 0, 1]);
    expect(Array.from(out.lengths)).toEqual([2, 4, 1]);
  });
});
