import { restoreBackendAfterAll } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedColumnSums } from './column-sums';
import { setBackendForTests } from './init-backend';
import { expectNoBufferLeak, seeded } from './test-support/kernel-test-helpers';
import { installWasmFixes } from './wasm-fixes';

restoreBackendAfterAll();

describe('fusedColumnSums (wasm)', () => {
  it.each([
    [1248, 64],
    [1024, 512],
    [37, 21],
    [5, 3],
    [1, 17],
  ])('[%i, %i]: the bits of the product ones·x, no leak', async (rows, cols) => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const x = seeded([rows, cols], 9) as tf.Tensor2D;
    const want = tf.tidy(() =>
      tf
        .matMul(tf.ones([1, rows]) as tf.Tensor2D, x)
        .reshape([cols])
        .dataSync(),
    );
    const got = fusedColumnSums(x);
    expect(got?.shape).toEqual([cols]);
    expect(Array.from(got!.dataSync())).toEqual(Array.from(want));
    got!.dispose();
    expectNoBufferLeak(() => fusedColumnSums(x)!.dispose());
    x.dispose();
  });

  it('is undefined under a gradient tape and on another backend (the caller takes the product)', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const x = seeded([4, 3], 1) as tf.Tensor2D;
    let taped: tf.Tensor | undefined;
    tf.grad((v: tf.Tensor) => {
      taped = fusedColumnSums(v as tf.Tensor2D);
      return v.sum();
    })(x).dispose();
    expect(taped).toBeUndefined();
    x.dispose();
    await setBackendForTests('cpu');
    const y = tf.ones([2, 2]) as tf.Tensor2D;
    expect(fusedColumnSums(y)).toBeUndefined();
    y.dispose();
  });
});
