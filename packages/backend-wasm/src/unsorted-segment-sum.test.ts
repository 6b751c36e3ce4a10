import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setBackendForTests } from './init-backend';
import { restoreBackendAndFixes } from './test-support/kernel-test-helpers';
import { installWasmFixes, uninstallWasmFixes } from './wasm-fixes';

restoreBackendAndFixes();

describe('UnsortedSegmentSum on wasm', () => {
  it('make tf.grad through tf.gather work on wasm (UnsortedSegmentSum kernel)', async () => {
    await setBackendForTests('wasm');
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    const grad = () =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.gather(t, ids),
            tf.tensor2d([
              [1, 2],
              [3, 4],
              [5, 6],
            ]),
          ),
        ),
      )(table);
    const g = grad();
    // row 0 gets [3, 4]; row 2 gets [1, 2] + [5, 6]
    expect(Array.from(g.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
    const seg = tf.unsortedSegmentSum(
      tf.tensor2d([
        [1, 1],
        [2, 2],
        [4, 4],
      ]),
      tf.tensor1d([1, 1, 0], 'int32'),
      3,
    );
    expect(Array.from(seg.dataSync())).toEqual([4, 4, 3, 3, 0, 0]);
    uninstallWasmFixes();
    expect(grad).toThrow(/UnsortedSegmentSum/);
    installWasmFixes();
    tf.dispose([table, ids, g, seg]);
  });
});
