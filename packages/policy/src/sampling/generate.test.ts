import type { TokenBatch } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { generate } from './generate';
import type { StepDecoder } from './step-decoder';

// A bigram "model" over V = 4 (EOS = 1, PAD = 0): the next-token logits depend only on the last token.
const TABLE = [
  [0, 0, 2, 1], // after 0
  [0, 3, 0, 0], // after EOS
  [-1, 0.5, 0, 2], // after 2
  [-1, 0, 1.5, 0], // after 3
];

function bigramFactory(calls: { steps: number }) {
  return (prompts: TokenBatch): StepDecoder => {
    const rows = prompts.batchSize;
    const T = prompts.seqLength;
    const last = Array.from({ length: rows }, (_, b) => prompts.ids[b * T + T - 1]!);
    const logitsOf = (ids: ArrayLike<number>) =>
      tf.tensor2d(
        Array.from(ids).flatMap((id) => TABLE[id]!),
        [rows, 4],
      );
    return {
      prefill: () => logitsOf(last),
      step: (tokens) => {
        calls.steps++;
        return logitsOf(tokens);
      },
      dispose: () => {},
    };
  };
}

const ids = { eosId: 1, padId: 0 };
const prompts = [[2, 3], [3], [2], [3, 3, 2]];

describe('generate', () => {
  it('argmax (temperature 0) follows the table and pads after EOS in fixed mode', async () => {
    const calls = { steps: 0 };
    const out = await generate(
      bigramFactory(calls),
      [[2], [3]],
      { temperature: 0, maxNewTokens: 5, seed: 0 },
      ids,
    );
    // 2 → 3 → 2 → 3 …; 3 → 2 → 3 …: no EOS
    expect(out.batch.promptLength).toBe(1);
    expect(Array.from(out.batch.ids)).toEqual([2, 3, 2, 3, 2, 3, 3, 2, 3, 2, 3, 2]);
    expect(Array.from(out.hasEos)).toEqual([0, 0]);
    expect(calls.steps).toBe(4);
    // log-probs are those of the temperature-1 distribution: log softmax([-1, .5, 0, 2])[3]
    const row = TABLE[2]!;
    const lse = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    expect(out.logProbs[0]).toBeCloseTo(2 - lse, 5);
  });

  it('marks the response valid through the first EOS and pads the rest (fixed length)', async () => {
    const calls = { steps: 0 };
    // start from EOS-prone rows: after 0 argmax is 2, so use sampling with high temperature to hit EOS
    const out = await generate(
      bigramFactory(calls),
      prompts,
      { temperature: 3, maxNewTokens: 8, seed: 3 },
      ids,
    );
    expect(calls.steps).toBe(7);
    const { batch } = out;
    const N = 8;
    for (let b = 0; b < 4; b++) {
      const resp = Array.from(
        batch.ids.subarray(b * batch.seqLength + batch.promptLength, (b + 1) * batch.seqLength),
      );
      const mask = Array.from(
        batch.mask.subarray(b * batch.seqLength + batch.promptLength, (b + 1) * batch.seqLength),
      );
      const eos = resp.indexOf(1);
      expect(out.hasEos[b]).toBe(eos >= 0 ? 1 : 0);
      const valid = eos >= 0 ? eos + 1 : N;
      expect(mask).toEqual([...Array(valid).fill(1), ...Array(N - valid).fill(0)]);
      expect(resp.slice(valid)).toEqual(Array(N - valid).fill(0));
      let sum = 0;
      for (let t = 0; t < N; t++) {
        if (t >= valid) expect(out.logProbs[b * N + t]).toBe(0);
        else expect(out.logProbs[b * N + t]).toBeLessThan(0);
        sum += out.logProbs[b * N + t]!;
      }
      expect(out.logProbSums[b]).toBeCloseTo(sum, 5);
    }
    expect(Array.from(out.hasEos).some((e) => e === 1)).toBe(true);
  });

  it('is reproducible for a seed, independent of the micro-batch size, and differs across seeds', async () => {
    const f = bigramFactory({ steps: 0 });
    const opts = { temperature: 1, maxNewTokens: 6, seed: 7 };
    const a = await generate(f, prompts, opts, ids);
    const b = await generate(f, prompts, { ...opts, microBatchSize: 1 }, ids);
    const c = await generate(f, prompts, { ...opts, seed: 8 }, ids);
    const d = await generate(f, prompts, { ...opts, stream: 1 }, ids);
    expect(Array.from(b.batch.ids)).toEqual(Array.from(a.batch.ids));
    expect(Array.from(b.logProbs)).toEqual(Array.from(a.logProbs));
    expect(Array.from(c.batch.ids)).not.toEqual(Array.from(a.batch.ids));
    expect(Array.from(d.batch.ids)).not.toEqual(Array.from(a.batch.ids));
  });

  it('stopAtEos stops once every row has an EOS; T_resp = the longest response', async () => {
    const calls = { steps: 0 };
    // after EOS the table keeps EOS likely; argmax from 1 → 1
    const out = await generate(
      bigramFactory(calls),
      [[1], [1]],
      { temperature: 0, maxNewTokens: 6, seed: 0, lengthMode: 'stopAtEos' },
      ids,
    );
    expect(calls.steps).toBe(0);
    expect(out.batch.seqLength).toBe(2);
    expect(Array.from(out.batch.mask)).toEqual([1, 1, 1, 1]);
    expect(out.logProbs.length).toBe(2);
  });

  it('does not leak tensors and checks its options', async () => {
    const before = tf.memory().numTensors;
    await generate(
      bigramFactory({ steps: 0 }),
      prompts,
      { temperature: 0.7, maxNewTokens: 4, seed: 1, topK: 2 },
      ids,
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      generate(bigramFactory({ steps: 0 }), [[]], { temperature: 1, maxNewTokens: 2, seed: 0 }, ids),
    ).rejects.toThrow(/empty/);
    await expect(
      generate(bigramFactory({ steps: 0 }), [[2]], { temperature: -1, maxNewTokens: 2, seed: 0 }, ids),
    ).rejects.toThrow(/temperature/);
  });

  it('honours an AbortSignal without leaking', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = tf.memory().numTensors;
    await expect(
      generate(
        bigramFactory({ steps: 0 }),
        [[2]],
        { temperature: 1, maxNewTokens: 2, seed: 0, signal: controller.signal },
        ids,
      ),
    ).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
  });
});
