import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { swapsLastTwo } from './blocked-transpose';
import {
  expectNoBufferLeak,
  restoreBackendAndFixes,
  seeded,
  stockAndFixed,
} from './test-support/kernel-test-helpers';

restoreBackendAndFixes();

describe('cache-blocked Transpose on wasm', () => {
  const CASES: [string, number[], number[]][] = [
    ['a power-of-two matrix', [1024, 128], [1, 0]],
    ['ragged tiles and blocks', [37, 70], [1, 0]],
    ['thinner than a block', [3, 2], [1, 0]],
    ['a batch of matrices', [3, 9, 14], [0, 2, 1]],
    ['4-D, last two swapped', [2, 3, 33, 5], [0, 1, 3, 2]],
    ['another permutation (stock kernel)', [4, 6, 5], [1, 0, 2]],
    ['empty', [0, 4], [1, 0]],
  ];

  it.each(CASES)('%s: the stock kernel’s bits, float32 and int32, no leak', async (_, shape, perm) => {
    const x = seeded(shape, 7);
    const xi = tf.range(0, tf.util.sizeFromShape(shape), 1, 'int32').reshape(shape);
    const [stock, fixed] = await stockAndFixed(() => [tf.transpose(x, perm), tf.transpose(xi, perm)]);
    expect(fixed).toEqual(stock);
    expectNoBufferLeak(() => tf.transpose(x, perm).dispose());
    tf.dispose([x, xi]);
  });

  it('recognises exactly the swaps of the last two axes', () => {
    expect(swapsLastTwo([1, 0])).toBe(true);
    expect(swapsLastTwo([0, 1, 3, 2])).toBe(true);
    expect(swapsLastTwo([0, 1])).toBe(false);
    expect(swapsLastTwo([1, 0, 2])).toBe(false);
    expect(swapsLastTwo([2, 1, 0])).toBe(false);
    expect(swapsLastTwo([0])).toBe(false);
  });
});
