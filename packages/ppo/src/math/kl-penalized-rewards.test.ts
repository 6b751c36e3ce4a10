import { describe, expect, it } from 'vitest';
import { klPenalizedRewards } from './kl-penalized-rewards';

// Row 0: EOS at t=2 (mask [1,1,1,0]); row 1: no EOS (mask full).
const base = {
  logpPolicy: new Float32Array([-1, -2, -0.5, 9, -1, -1, -1, -1]),
  logpRef: new Float32Array([-1.5, -1, -0.5, 3, -2, -2, -2, -2]),
  mask: new Uint8Array([1, 1, 1, 0, 1, 1, 1, 1]),
  scores: new Float32Array([2, 5]),
  hasEos: new Uint8Array([1, 0]),
  klCoef: 0.1,
};

function close(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(actual[i]).toBeCloseTo(e, 6);
  });
}

describe('klPenalizedRewards', () => {
  it("adds the score at the EOS ('eos') and applies the missing-EOS penalty", () => {
    const r = klPenalizedRewards({ ...base, scorePosition: 'eos', missingEosPenalty: -1 });
    close(r.kl, [0.5, -1, 0, 0, 1, 1, 1, 1]);
    close(r.nonScoreRewards, [-0.05, 0.1, 0, 0, -0.1, -0.1, -0.1, -0.1]);
    close(r.rewards, [-0.05, 0.1, 2, 0, -0.1, -0.1, -0.1, -1.1]);
    close(r.scores, [2, -1]);
    expect([...r.scoreIndex]).toEqual([2, 3]);
    expect([...r.valueMask]).toEqual([1, 1, 1, 0, 1, 1, 1, 1]);
  });

  it("adds the score one slot after the EOS ('eosPlus1') and keeps that slot valid for the critic", () => {
    const r = klPenalizedRewards({ ...base, scorePosition: 'eosPlus1', missingEosPenalty: -1 });
    close(r.rewards, [-0.05, 0.1, 0, 2, -0.1, -0.1, -0.1, -1.1]);
    expect([...r.scoreIndex]).toEqual([3, 3]);
    expect([...r.valueMask]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("'eosPlus1' keeps the score at an EOS in the last position", () => {
    const r = klPenalizedRewards({
      logpPolicy: new Float32Array([0, 0]),
      logpRef: new Float32Array([0, 0]),
      mask: new Uint8Array([1, 1]),
      scores: [3],
      hasEos: [1],
      klCoef: 0.05,
      scorePosition: 'eosPlus1',
    });
    close(r.rewards, [0, 3]);
    expect(r.scoreIndex[0]).toBe(1);
  });

  it('keeps the model score of a row without EOS when the penalty is switched off', () => {
    const r = klPenalizedRewards({ ...base, missingEosPenalty: null });
    close(r.rewards.subarray(4), [-0.1, -0.1, -0.1, 4.9]);
    close(r.scores, [2, 5]);
  });

  it('rejects mismatched shapes', () => {
    expect(() => klPenalizedRewards({ ...base, logpRef: new Float32Array(7) })).toThrow(/logpRef/);
    expect(() => klPenalizedRewards({ ...base, hasEos: [1] })).toThrow(/hasEos/);
  });
});
