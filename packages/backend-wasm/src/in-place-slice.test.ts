import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  expectNoBufferLeak,
  restoreBackendAndFixes,
  seeded,
  stockAndFixed,
} from './test-support/kernel-test-helpers';

restoreBackendAndFixes();

describe('in-place Slice on wasm', () => {
  const SLICES: [string, number[], number[], number[]][] = [
    ['contiguous rows', [5, 4], [1, 0], [3, 4]],
    ['2-D box', [5, 4], [1, 1], [3, 2]],
    ['3-D inner axis', [3, 4, 6], [0, 1, 2], [3, 2, 3]],
    ['4-D middle axes', [2, 3, 4, 5], [1, 1, 0, 0], [1, 2, 4, 5]],
    ['5-D', [2, 2, 3, 2, 3], [0, 1, 1, 0, 1], [2, 1, 2, 2, 2]],
    ['size -1', [4, 6], [1, 2], [-1, -1]],
    ['empty', [4, 6], [1, 2], [0, 3]],
  ];

  it.each(SLICES)(
    'in-place Slice (%s) equals the stock kernel and leaks nothing',
    async (_, shape, begin, size) => {
      const x = seeded(shape, 21);
      const xi = tf.range(0, tf.util.sizeFromShape(shape), 1, 'int32').reshape(shape);
      const [want, got] = await stockAndFixed(() => [tf.slice(x, begin, size), tf.slice(xi, begin, size)]);
      expect(got).toEqual(want);
      expectNoBufferLeak(() => tf.slice(x, begin, size).dispose());
      tf.dispose([x, xi]);
    },
  );
});
