// The acceptance test: the Hugging Face reference models, loaded from their safetensors, reproduce what Python
// transformers computed (logits, next-token log-probs, greedy KV-cached decoding, reward scores). qwen3-tiny's outputs
// come from the independent PyTorch reference pinned to transformers on qwen2-tiny (fixtures/hf-tiny-reference/README.md).
import { join } from 'node:path';
import type { SafetensorsTensor } from '@ocrm/core';
import { describeEachBackend } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadModel } from './load-model';
import type { TransformerModel } from './model';
import { FIXTURES, readExpected, rows } from './test-support/fixtures';

const TOLERANCE = 1e-4;

/** Max |a - b| over positions where mask = 1. a, b: [B*T*V] flat; mask [B*T]. */
function maxDiffMasked(a: Float32Array, b: Float32Array, mask: Int32Array, width: number): number {
  let worst = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let j = p * width; j < (p + 1) * width; j++) worst = Math.max(worst, Math.abs(a[j] - b[j]));
  }
  return worst;
}

/** Greedy decoding of `steps` tokens with the KV cache; returns prompt + new tokens. */
export function greedyDecode(model: TransformerModel, prompt: number[][], steps: number): number[][] {
  let cache = model.createKvCache(prompt.length);
  let input = prompt;
  const out = prompt.map((row) => [...row]);
  for (let s = 0; s < steps; s++) {
    const result = model.forward({
      inputIds: input,
      cache,
      logits: { start: input[0].length - 1, end: input[0].length },
    });
    cache.dispose();
    cache = result.cache!;
    const argMax = result.logits!.argMax(-1);
    const next = Array.from(argMax.dataSync());
    tf.dispose([result.hidden, result.logits!, argMax]);
    next.forEach((id, i) => {
      out[i].push(id);
    });
    input = next.map((id) => [id]);
  }
  cache.dispose();
  return out;
}

for (const name of ['gpt-neox-tiny', 'gpt2-tiny', 'qwen2-tiny', 'qwen3-tiny']) {
  describeEachBackend(`parity ${name}`, () => {
    let model: TransformerModel;
    let expected: Record<string, SafetensorsTensor>;
    beforeAll(async () => {
      model = await loadModel(join(FIXTURES, name));
      expected = await readExpected(name);
    });
    afterAll(() => model.dispose());

    it('logits and next-token log-probs match transformers within 1e-4 on unpadded positions', () => {
      const mask = expected.attention_mask.data as Int32Array;
      const [B, T] = expected.input_ids.shape;
      // Explicit and default positions; a batch repeated 3x takes the other fused-projection path (B·T > H).
      for (const [explicitPositions, copies] of [
        [true, 1],
        [false, 1],
        [false, 3],
      ] as const) {
        const repeat = (m: number[][]) => Array.from({ length: copies }, () => m).flat();
        const { logits, lp } = tf.tidy(() => {
          const out = model.forward({
            inputIds: repeat(rows(expected.input_ids)),
            attentionMask: repeat(rows(expected.attention_mask)),
            positionIds: explicitPositions ? rows(expected.position_ids) : undefined,
            logits: true,
          });
          const logProbs = tf.logSoftmax(out.logits!.slice([(copies - 1) * B, 0, 0], [B, T, -1]));
          const next = tf.tensor2d(rows(expected.input_ids), undefined, 'int32').slice([0, 1], [B, T - 1]);
          const picked = tf
            .mul(logProbs.slice([0, 0, 0], [B, T - 1, -1]), tf.oneHot(next, logProbs.shape[2]))
            .sum(-1);
          const last = out.logits!.slice([(copies - 1) * B, 0, 0], [B, T, -1]);
          return { logits: last.dataSync() as Float32Array, lp: picked.dataSync() as Float32Array };
        });
        const vocab = expected.logits.shape[2];
        const logitDiff = maxDiffMasked(logits, expected.logits.data as Float32Array, mask, vocab);
        expect(logitDiff).toBeLessThan(TOLERANCE);
        const nextMask = new Int32Array(B * (T - 1)).map(
          (_, k) => mask[Math.floor(k / (T - 1)) * T + (k % (T - 1)) + 1],
        );
        const lpDiff = maxDiffMasked(lp, expected.next_token_logprobs.data as Float32Array, nextMask, 1);
        expect(lpDiff).toBeLessThan(TOLERANCE);
      }
    });

    it('greedy decoding with the KV cache reproduces greedy_output exactly', () => {
      const prompt = rows(expected.greedy_prompt);
      const steps = expected.greedy_output.shape[1] - prompt[0].length;
      const before = tf.memory().numTensors;
      expect(greedyDecode(model, prompt, steps)).toEqual(rows(expected.greedy_output));
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describeEachBackend('parity gpt-neox-tiny-rm', () => {
  it('scores at the last non-pad token match transformers within 1e-4', async () => {
    const model = await loadModel(join(FIXTURES, 'gpt-neox-tiny-rm'));
    const expected = await readExpected('gpt-neox-tiny-rm');
    expect(model.hasLmHead).toBe(false);
    const ids = rows(expected.input_ids);
    const mask = rows(expected.attention_mask);
    const scores = tf.tidy(() => {
      const { hidden } = model.forward({ inputIds: ids, attentionMask: mask });
      return model.scoreHead(hidden).arraySync() as number[][];
    });
    const want = expected.scores.data as Float32Array;
    mask.forEach((row, b) => {
      const last = row.lastIndexOf(1);
      expect(Math.abs(scores[b][last] - want[b])).toBeLessThan(TOLERANCE);
    });
    model.dispose();
  });
});
