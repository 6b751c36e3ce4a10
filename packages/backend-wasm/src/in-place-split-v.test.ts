import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  expectNoBufferLeak,
  restoreBackendAndFixes,
  seeded,
  stockAndFixed,
} from './test-support/kernel-test-helpers';

restoreBackendAndFixes();

describe('in-place SplitV on wasm', () => {
  it('in-place SplitV equals the stock kernel and leaks nothing', async () => {
    const x = seeded([3, 12, 4], 22);
    const [want, got] = await stockAndFixed(() => [
      ...tf.split(x, 3, 1),
      ...tf.split(x, [2, 7, 3], 1),
      ...tf.split(x, 3, 0),
    ]);
    expect(got).toEqual(want);
    expectNoBufferLeak(() => tf.dispose(tf.split(x, [5, 7], 1)));
    x.dispose();
  });
});
