import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  expectNoBufferLeak,
  restoreBackendAndFixes,
  seeded,
  stockAndFixed,
} from './test-support/kernel-test-helpers';

restoreBackendAndFixes();

describe('row GatherV2 on wasm', () => {
  it('row GatherV2 equals the stock kernel, keeps its range error, and leaks nothing', async () => {
    const table = seeded([7, 5], 23);
    const ints = tf.range(0, 21, 1, 'int32').reshape([7, 3]);
    const ids = tf.tensor2d(
      [
        [6, 0, 3],
        [3, 3, 1],
      ],
      undefined,
      'int32',
    );
    const [want, got] = await stockAndFixed(() => [
      tf.gather(table, ids),
      tf.gather(ints, ids.reshape([-1])),
      tf.gather(table, tf.tensor1d([2, 4], 'int32'), 1),
    ]);
    expect(got).toEqual(want);
    expect(tf.gather(table, ids).shape).toEqual([2, 3, 5]);
    expectNoBufferLeak(() => tf.gather(table, ids).dispose());
    const bad = tf.tensor1d([1, 7], 'int32');
    expect(() => tf.gather(table, bad)).toThrow(/not in \[0, 6\]/);
    tf.dispose([table, ints, ids, bad]);
  });
});
