import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTokenBatch } from '../batch/build-token-batch';
import { describeEachBackend } from './describe-each-backend';
import { createTinyPolicy } from './tiny/tiny-policy';

let initial: string;
beforeAll(() => {
  initial = tf.getBackend();
});

const sums: Record<string, number> = {};

describeEachBackend('tiny policy log-probs', (backend) => {
  it('runs on the selected backend', () => {
    expect(tf.getBackend()).toBe(backend);
    const policy = createTinyPolicy({ seed: 2 });
    const batch = buildTokenBatch({ prompts: [[2, 3]], responses: [[4, 5, 1]], padId: 0 });
    const { logProbs } = policy.logProbs(batch, { temperature: 1 });
    sums[backend] = Array.from(logProbs.dataSync()).reduce((a, b) => a + b, 0);
    logProbs.dispose();
    policy.dispose();
  });
});

afterAll(() => {
  // Restored after the suites; both backends agree on the tiny model (parity to 1e-5).
  expect(tf.getBackend()).toBe(initial);
  expect(Math.abs((sums.cpu as number) - (sums.wasm as number))).toBeLessThan(1e-5);
});
