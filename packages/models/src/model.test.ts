import { describeEachBackend } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelType } from './config';
import { createModel } from './create-model';
import { tinyModelConfig } from './hf-config';
import { lmHeadLogits } from './lm-head';
import type { TransformerModel } from './model';

const IDS = [
  [9, 9, 4, 5, 6],
  [1, 2, 3, 4, 5],
];
const MASK = [
  [0, 0, 1, 1, 1],
  [1, 1, 1, 1, 1],
];

describe('TransformerModel', () => {
  let model: TransformerModel;
  beforeAll(() => {
    model = createModel(tinyModelConfig('gpt_neox', { initializerRange: 0.2 }), { seed: 1, scoreHead: true });
  });
  afterAll(() => model.dispose());

  it('replaces masked ids by 0 and defaults positions to max(cumsum(mask) - 1, 0)', () => {
    const a = tf.tidy(() =>
      model.forward({ inputIds: IDS, attentionMask: MASK, logits: true }).logits!.arraySync(),
    );
    const zeroed = IDS.map((row, b) => row.map((id, t) => (MASK[b][t] ? id : 0)));
    const positions = [
      [0, 0, 0, 1, 2],
      [0, 1, 2, 3, 4],
    ];
    const b = tf.tidy(() =>
      model
        .forward({ inputIds: zeroed, attentionMask: MASK, positionIds: positions, logits: true })
        .logits!.arraySync(),
    );
    expect(a).toEqual(b);
    // Left padding does not change the real tokens' outputs.
    const unpadded = tf.tidy(() =>
      model.forward({ inputIds: [[4, 5, 6]], logits: true }).logits!.arraySync(),
    );
    const row = (a as number[][][])[0].slice(2);
    let worst = 0;
    row.forEach((v, t) => {
      v.forEach((x, j) => {
        worst = Math.max(worst, Math.abs(x - (unpadded as number[][][])[0][t][j]));
      });
    });
    expect(worst).toBeLessThan(1e-5);
  });

  it('accepts int32 tensors, returns [B,T,H] hidden, ranged logits and [B,T] scores without leaking', () => {
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const mask = tf.tensor2d(MASK, undefined, 'int32');
    const before = tf.memory().numTensors;
    const out = model.forward({ inputIds: ids, attentionMask: mask, logits: { start: 3, end: 5 } });
    expect(out.hidden.shape).toEqual([2, 5, 32]);
    expect(out.logits!.shape).toEqual([2, 2, 64]);
    expect(out.cache).toBeUndefined();
    const scores = model.scoreHead(out.hidden);
    expect(scores.shape).toEqual([2, 5]);
    const full = model.forward({ inputIds: ids, attentionMask: mask, logits: true });
    const fullTail = full.logits!.slice([0, 3, 0], [2, 2, 64]);
    expect(tf.tidy(() => tf.max(tf.abs(fullTail.sub(out.logits!))).dataSync()[0])).toBeLessThan(1e-6);
    tf.dispose([out.hidden, out.logits!, scores, full.hidden, full.logits!, fullTail]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, mask]);
  });

  it('chunks the LM head over the vocabulary with the same result', () => {
    tf.tidy(() => {
      const hidden = tf.randomNormal([2, 3, 8]) as tf.Tensor3D;
      const weight = tf.randomNormal([8, 50]) as tf.Tensor2D;
      const whole = lmHeadLogits(hidden, weight);
      const chunked = lmHeadLogits(hidden, weight, 6 * 7);
      expect(chunked.shape).toEqual([2, 3, 50]);
      expect(tf.max(tf.abs(whole.sub(chunked))).dataSync()[0]).toBeLessThan(1e-6);
    });
  });

  it('names variables after Hugging Face parameters; clone and freeze are independent copies', () => {
    const names = Object.keys(model.variables());
    expect(names[0]).toBe('gpt_neox.embed_in.weight');
    expect(names).toContain('gpt_neox.layers.1.attention.query_key_value.bias');
    expect(names).toContain('embed_out.weight');
    expect(names[names.length - 1]).toBe('score.weight');
    const frozen = model.freeze();
    expect(frozen.trainableVariables()).toEqual({});
    const clone = model.clone();
    expect(Object.keys(clone.trainableVariables())).toEqual(names);
    clone.variables()['score.weight'].assign(tf.zerosLike(clone.variables()['score.weight']));
    expect(tf.sum(tf.abs(model.variables()['score.weight'])).dataSync()[0]).toBeGreaterThan(0);
    clone.dispose();
    frozen.dispose();
    expect(model.isDisposed).toBe(false);
  });

  it('rejects sequences longer than the learned position table', () => {
    const gpt2 = createModel(tinyModelConfig('gpt2', { maxPositions: 4 }), { seed: 1 });
    expect(() => gpt2.forward({ inputIds: [[1, 2, 3, 4, 5]] })).toThrow(/max positions 4/);
    gpt2.dispose();
  });

  it('rejects token ids outside the vocabulary (small lookups are one-hot products that would embed them as 0)', () => {
    const small = createModel(tinyModelConfig('gpt_neox', { vocabSize: 16 }), { seed: 1 });
    const before = tf.memory().numTensors;
    expect(() => small.forward({ inputIds: [[1, 2, 16]] })).toThrow(/token id 16, outside .*\[0, 16\)/);
    expect(() => small.forward({ inputIds: [[-1, 2]] })).toThrow(/token id -1/);
    // a masked id is replaced by 0 first, so it is fine
    small.forward({ inputIds: [[99, 2]], attentionMask: [[0, 1]] }).hidden.dispose();
    expect(tf.memory().numTensors).toBe(before);
    small.dispose();
  });
});

// Every architecture trains on wasm (the training backend); cpu is covered once (gpt_neox) to keep this file fast.
for (const type of ['gpt_neox', 'gpt2', 'llama', 'qwen2', 'qwen3'] as ModelType[]) {
  const backends = type === 'gpt_neox' ? (['cpu', 'wasm'] as const) : (['wasm'] as const);
  describeEachBackend(
    `training ${type}`,
    () => {
      it('a few SGD steps reduce the LM loss; every weight gets a gradient', () => {
        const start = tf.memory().numTensors;
        const model = createModel(tinyModelConfig(type, { vocabSize: 32 }), { seed: 2, scoreHead: true });
        const ids = tf.tensor2d(
          [
            [1, 5, 9, 13, 17, 21, 25, 29],
            [2, 6, 10, 14, 18, 22, 26, 30],
          ],
          undefined,
          'int32',
        );
        const targets = tf.tidy(() => tf.oneHot(ids.slice([0, 1], [2, 7]), 32));
        const lossFn = () =>
          tf.tidy(() => {
            const { hidden, logits } = model.forward({ inputIds: ids, logits: { start: 0, end: 7 } });
            const lm = tf.losses.softmaxCrossEntropy(targets, logits!);
            return lm.add(model.scoreHead(hidden).square().mean().mul(1e-3)) as tf.Scalar;
          });
        const optimizer = tf.train.sgd(0.3);
        const first = tf.tidy(() => lossFn().dataSync()[0]);
        const { grads, value } = tf.variableGrads(lossFn, Object.values(model.variables()));
        for (const [name, g] of Object.entries(grads)) {
          expect(
            tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]),
            name,
          ).toBeGreaterThan(0);
        }
        tf.dispose([value, ...Object.values(grads)]);
        for (let step = 0; step < 6; step++)
          optimizer.minimize(lossFn, false, Object.values(model.variables()));
        const last = tf.tidy(() => lossFn().dataSync()[0]);
        expect(last).toBeLessThan(first - 0.3);
        optimizer.dispose();
        tf.dispose([ids, targets]);
        model.dispose();
        expect(tf.memory().numTensors).toBe(start);
      });
    },
    backends,
  );
}
