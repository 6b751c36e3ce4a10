/**
 * Restores the tfjs backend a test file started with, for files that switch backends (`setBackendForTests`).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';

/** Registers `beforeAll`/`afterAll` hooks that put back the backend active before the file's tests. */
export function restoreBackendAfterAll(): void {
  let initial: string;
  beforeAll(() => {
    initial = tf.getBackend();
  });
  afterAll(async () => {
    await tf.setBackend(initial);
  });
}
