import type { PreferencePair } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { hasRepeat, setScores } from './score-arm.mjs';

const pair = (chosen: string, rejected: string, gold: [number, number], tie = false): PreferencePair => ({
  id: chosen,
  prompt: 'p',
  chosen,
  rejected,
  promptIds: [],
  chosenIds: [],
  rejectedIds: [],
  goldChosen: gold[0],
  goldRejected: gold[1],
  tie,
});

describe('setScores', () => {
  it('accuracy without ties, by pair type, and Spearman over single responses (hand-computed)', () => {
    const pairs = [
      pair('a b', 'a a', [0.9, 0.2]), // repeat pair, same length: right
      pair('a b c', 'a', [0.8, 0.5]), // longer pair: wrong
      pair('b c', 'c d', [0.4, 0.3]), // plain: right
      pair('x', 'x', [0.1, 0.1], true), // tie: excluded
    ];
    const s = setScores(pairs, [2, 0, 1, 0], [1, 1, 0, 0]);
    expect(s.counted).toBe(3);
    expect(s.accuracy).toBeCloseTo(2 / 3, 12);
    expect([s.accuracyLonger, s.countedLonger]).toEqual([0, 1]);
    expect([s.accuracyRepeat, s.countedRepeat]).toEqual([1, 1]);
    // RM [2,1,0,1,1,0,0,0] vs gold [.9,.2,.8,.5,.4,.3,.1,.1]
    expect(s.spearman).toBeCloseTo(0.5510122120528049, 10); // scipy.stats.spearmanr
    expect(hasRepeat('a b a')).toBe(true);
    expect(hasRepeat('a b')).toBe(false);
  });
});
