import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildTokenBatch } from '../batch/build-token-batch';
import type { LogProbOptions, Policy } from '../contracts/policy';
import type { TokenBatch } from '../contracts/token-batch';
import { AbortError } from '../errors';
import { computeLogProbs } from './compute-log-probs';

/** A fake policy: log-prob of response token `id` is `-id / (10 · temperature)` (garbage where masked). */
function fakePolicy(calls: number[]): Policy {
  const logProbs = (batch: TokenBatch, options: LogProbOptions) => {
    calls.push(batch.batchSize);
    const R = batch.seqLength - batch.promptLength;
    const values = new Float32Array(batch.batchSize * R);
    for (let b = 0; b < batch.batchSize; b++) {
      for (let t = 0; t < R; t++) {
        const id = batch.ids[b * batch.seqLength + batch.promptLength + t] as number;
        values[b * R + t] = -id / (10 * options.temperature);
      }
    }
    // a few intermediates that the caller's tidy must clean up
    const raw = tf.tensor2d(values, [batch.batchSize, R]);
    return { logProbs: tf.add(raw, 0) as tf.Tensor2D, entropy: tf.zerosLike(raw) as tf.Tensor2D };
  };
  return { logProbs } as unknown as Policy;
}

describe('computeLogProbs', () => {
  const batch = buildTokenBatch({
    prompts: [[1], [1, 1], [1], [1, 1, 1]],
    responses: [[2, 4], [6], [8, 10], []],
    padId: 50,
  });

  it('micro-batches, zeroes masked positions and sums in float64', async () => {
    const calls: number[] = [];
    const before = tf.memory().numTensors;
    const out = await computeLogProbs(fakePolicy(calls), batch, { temperature: 0.5, microBatchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toEqual([3, 1]);
    const expected = [-0.4, -0.8, -1.2, 0, -1.6, -2, 0, 0];
    Array.from(out.tokenLogProbs).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 6);
    });
    const sums = [-1.2, -1.2, -3.6, 0];
    Array.from(out.sums).forEach((v, i) => {
      expect(v).toBeCloseTo(sums[i] as number, 6);
    });
  });

  it('gives the same numbers for any micro-batch size', async () => {
    const a = await computeLogProbs(fakePolicy([]), batch, { temperature: 1, microBatchSize: 1 });
    const b = await computeLogProbs(fakePolicy([]), batch, { temperature: 1 });
    expect(Array.from(a.tokenLogProbs)).toEqual(Array.from(b.tokenLogProbs));
    expect(Array.from(a.sums)).toEqual(Array.from(b.sums));
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      computeLogProbs(fakePolicy([]), batch, { temperature: 1, signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortError);
  });
});
