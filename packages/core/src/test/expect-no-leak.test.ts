import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { OcrmError } from '../errors';
import { expectNoLeak } from './expect-no-leak';

describe('expectNoLeak', () => {
  it('passes for tidy code and disposes returned tensors (alone, in arrays and objects)', async () => {
    const before = tf.memory().numTensors;
    const out = await expectNoLeak(() => tf.tidy(() => tf.add(tf.ones([2]), 1)));
    expect(out.isDisposed).toBe(true);
    await expectNoLeak(() => ({ a: tf.ones([1]), b: [tf.zeros([2]), { c: tf.scalar(1) }], n: 3 }));
    await expectNoLeak(async () => {
      await Promise.resolve();
      return [tf.ones([3])];
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails with a CONTRACT error naming the count of leaked tensors; allow tolerates some', async () => {
    const kept: tf.Tensor[] = [];
    const error = await expectNoLeak(() => {
      kept.push(tf.ones([1]), tf.ones([1]));
    }).catch((e: unknown) => e);
    expect(OcrmError.isInstance(error) && error.code).toBe('CONTRACT');
    expect((error as Error).message).toContain('2 tensor(s) leaked');
    await expectNoLeak(() => void kept.push(tf.ones([1])), { allow: 1 });
    tf.dispose(kept);
  });
});
