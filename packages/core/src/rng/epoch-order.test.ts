import { describe, expect, it } from 'vitest';
import { epochOrder } from './epoch-order';
import { permutation, rng } from './rng';

describe('epochOrder', () => {
  it('walks one fresh permutation per pass', () => {
    const at = epochOrder(4, 7, 3);
    const first = permutation(4, rng(7, 3, 0));
    const second = permutation(4, rng(7, 3, 1));
    expect(Array.from({ length: 8 }, (_, p) => at(p))).toEqual([...first, ...second]);
    expect([...first].sort()).toEqual([0, 1, 2, 3]);
  });

  it('is a pure function of its arguments (a resumed run continues the order)', () => {
    const whole = epochOrder(5, 1);
    const resumed = epochOrder(5, 1);
    expect(resumed(7)).toBe(whole(7));
    expect(epochOrder(5, 1, 0)(3)).toBe(whole(3));
  });
});
