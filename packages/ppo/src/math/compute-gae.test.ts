import { describe, expect, it } from 'vitest';
import { computeGae } from './compute-gae';

function close(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(actual[i]).toBeCloseTo(e, 5);
  });
}

describe('computeGae', () => {
  it('matches hand-computed advantages and returns, without bootstrapping through padding', () => {
    // γ = 0.9, λ = 0.5 (γλ = 0.45).
    // Row 0, mask [1,1,0]; the padded value 7 must be ignored:
    //   δ1 = 1 - 0.25 = 0.75 → A1 = 0.75;  δ0 = 0.9·0.25 - 0.5 = -0.275 → A0 = -0.275 + 0.45·0.75 = 0.0625
    // Row 1, mask [1,1,1]:
    //   δ2 = 0.3 - 3 = -2.7 → A2 = -2.7;  δ1 = 0.2 + 2.7 - 2 = 0.9 → A1 = 0.9 - 1.215 = -0.315
    //   δ0 = 0.1 + 1.8 - 1 = 0.9 → A0 = 0.9 + 0.45·(-0.315) = 0.75825
    const { advantages, returns } = computeGae({
      rewards: [0, 1, 0, 0.1, 0.2, 0.3],
      values: [0.5, 0.25, 7, 1, 2, 3],
      mask: [1, 1, 0, 1, 1, 1],
      batchSize: 2,
      gamma: 0.9,
      gaeLambda: 0.5,
    });
    close(advantages, [0.0625, 0.75, 0, 0.75825, -0.315, -2.7]);
    close(returns, [0.5625, 1, 0, 1.75825, 1.685, 0.3]);
  });

  it('with γ = λ = 1 the return is the sum of future rewards', () => {
    const { returns, advantages } = computeGae({
      rewards: [0.1, 0.2, 1, 0],
      values: [0.3, -0.2, 0.6, 0],
      mask: [1, 1, 1, 0],
      batchSize: 1,
      gamma: 1,
      gaeLambda: 1,
    });
    close(returns, [1.3, 1.2, 1, 0]);
    close(advantages, [1.0, 1.4, 0.4, 0]);
  });

  it('rejects arrays that do not split into rows', () => {
    expect(() =>
      computeGae({
        rewards: [0, 0, 0],
        values: [0, 0, 0],
        mask: [1, 1, 1],
        batchSize: 2,
        gamma: 1,
        gaeLambda: 1,
      }),
    ).toThrow(/multiple/);
  });
});
