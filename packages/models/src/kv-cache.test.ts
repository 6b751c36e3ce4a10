import { describeEachBackend } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelConfig, ModelType } from './config';
import { createModel } from './create-model';
import { tinyModelConfig } from './hf-config';
import type { TransformerModel } from './model';

// Left-padded prompts (pad id 0 written as garbage ids to check masking), then 3 continuation tokens.
const PROMPTS = [
  [0, 0, 5, 9, 3],
  [7, 4, 8, 1, 6],
  [0, 0, 0, 11, 2],
];
const PROMPT_MASK = [
  [0, 0, 1, 1, 1],
  [1, 1, 1, 1, 1],
  [0, 0, 0, 1, 1],
];
const CONTINUATION = [
  [12, 13, 14],
  [15, 16, 17],
  [18, 19, 20],
];

/** Llama 3 rotary scaling at a tiny context (wavelength thresholds 2 and 8 positions: every band is hit). */
const LLAMA3_SCALING: Partial<ModelConfig> = {
  ropeScaling: { type: 'llama3', factor: 4, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8 },
};
const VARIANTS: [string, ModelType, Partial<ModelConfig>][] = [
  ['gpt_neox', 'gpt_neox', {}],
  ['gpt2', 'gpt2', {}],
  ['llama', 'llama', {}],
  ['qwen2', 'qwen2', {}],
  ['qwen3 (q/k norm, head_dim ≠ hidden/heads)', 'qwen3', { headDim: 16 }],
  ['llama with llama3 rope scaling', 'llama', LLAMA3_SCALING],
];

for (const [label, type, overrides] of VARIANTS) {
  describeEachBackend(`KV cache ${label}`, () => {
    let model: TransformerModel;
    beforeAll(() => {
      model = createModel(tinyModelConfig(type, { initializerRange: 0.2, ...overrides }), { seed: 3 });
    });
    afterAll(() => model.dispose());

    it('prefill of left-padded prompts then one token at a time equals the full forward', () => {
      const ids = PROMPTS.map((row, i) => [...row, ...CONTINUATION[i]]);
      const mask = PROMPT_MASK.map((row) => [...row, 1, 1, 1]);
      const full = tf.tidy(() =>
        model.forward({ inputIds: ids, attentionMask: mask, logits: true }).logits!.arraySync(),
      );
      const before = tf.memory().numTensors;
      let cache = model.createKvCache(3);
      const prefill = model.forward({ inputIds: PROMPTS, attentionMask: PROMPT_MASK, cache, logits: true });
      cache.dispose();
      cache = prefill.cache!;
      const got: number[][][][] = [prefill.logits!.arraySync() as number[][][]];
      tf.dispose([prefill.hidden, prefill.logits!]);
      for (let s = 0; s < 3; s++) {
        const step = model.forward({ inputIds: CONTINUATION.map((row) => [row[s]]), cache, logits: true });
        cache.dispose();
        cache = step.cache!;
        got.push(step.logits!.arraySync() as number[][][]);
        tf.dispose([step.hidden, step.logits!]);
      }
      expect(cache.length).toBe(8);
      cache.dispose();
      expect(tf.memory().numTensors).toBe(before);
      let worst = 0;
      for (let b = 0; b < 3; b++) {
        for (let t = 0; t < 8; t++) {
          if (!mask[b][t]) continue;
          const cached = t < 5 ? got[0][b][t] : got[t - 4][b][0];
          cached.forEach((v, j) => {
            worst = Math.max(worst, Math.abs(v - (full as number[][][])[b][t][j]));
          });
        }
      }
      expect(worst).toBeLessThan(1e-5);
    });
  });
}

describeEachBackend('llama3 rope scaling', () => {
  it('changes the forward pass (the scaled frequencies reach the attention)', () => {
    const plain = createModel(tinyModelConfig('llama', { initializerRange: 0.2 }), { seed: 3 });
    const scaled = createModel(tinyModelConfig('llama', { initializerRange: 0.2, ...LLAMA3_SCALING }), {
      seed: 3,
    });
    const ids = [[5, 9, 3, 12, 13, 14, 15, 16]];
    const [a, b] = [plain, scaled].map((m) =>
      tf.tidy(() => m.forward({ inputIds: ids, logits: true }).logits!.arraySync() as number[][][]),
    );
    // Position 0 has angle 0 under any scaling; later positions differ.
    expect(b![0]![0]).toEqual(a![0]![0]);
    expect(Math.max(...b![0]![7]!.map((v, i) => Math.abs(v - a![0]![7]![i]!)))).toBeGreaterThan(1e-4);
    plain.dispose();
    scaled.dispose();
  });
});
