import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildTokenBatch } from '../../batch/build-token-batch';
import { describeRewardModelContract, describeValueModelContract } from '../contracts/scalar-contracts';
import { createTinyRewardModel, createTinyValueModel, loadTinyScalarModel } from './tiny-scalar-model';

describeRewardModelContract(
  'TinyScalarModel (reward)',
  () => createTinyRewardModel({ seed: 1, offset: 0.25 }),
  {
    vocabSize: 16,
    load: loadTinyScalarModel,
  },
);
describeValueModelContract('TinyScalarModel (value)', () => createTinyValueModel({ seed: 2 }), {
  vocabSize: 16,
  load: loadTinyScalarModel,
});

describe('tiny scalar model', () => {
  // Row 0: prompt [2, 3], response [4, 1] (EOS). Row 1: prompt [5], response [6] then padding.
  const batch = buildTokenBatch({ prompts: [[2, 3], [5]], responses: [[4, 1], [6]], padId: 0 });

  it('score reads the last valid token and equals the value at that position', () => {
    const model = createTinyRewardModel({ seed: 3 });
    const scores = model.score(batch).arraySync();
    const values = model.values(batch).arraySync();
    // values[b][t] is read at position promptLength - 1 + t. Row 0's last valid token (the EOS) sits at position 3,
    // which is value index 2 only once the response has a third slot: append one token to both rows.
    const wider = buildTokenBatch({
      prompts: [[2, 3], [5]],
      responses: [
        [4, 1, 7],
        [6, 7],
      ],
      padId: 0,
    });
    const wideValues = model.values(wider).arraySync();
    expect(wideValues[0]?.[2]).toBeCloseTo(scores[0] as number, 5);
    expect(wideValues[1]?.[1]).toBeCloseTo(scores[1] as number, 5);
    expect(Math.abs(values[1]?.[1] as number)).toBe(0); // masked
    model.dispose();
  });

  it('subtracts the offset; withOffset copies', () => {
    const model = createTinyRewardModel({ seed: 3 });
    const shifted = model.withOffset(1.5);
    const a = model.score(batch).arraySync();
    const b = shifted.score(batch).arraySync();
    expect((a[0] as number) - (b[0] as number)).toBeCloseTo(1.5, 5);
    expect(shifted.config.offset).toBe(1.5);
    model.dispose();
    expect(shifted.score(batch).shape).toEqual([2]);
    shifted.dispose();
  });

  it('has stable variable names and a bias-free head of std 1/sqrt(H+1)', () => {
    const model = createTinyRewardModel({ seed: 0, hidden: 32 });
    const vars = model.trainableVariables();
    expect(Object.keys(vars)).toEqual([
      'embed_tokens.weight',
      'embed_positions.weight',
      'hidden.input.weight',
      'hidden.context.weight',
      'hidden.bias',
      'score.weight',
    ]);
    expect(vars['score.weight']?.shape).toEqual([32, 1]);
    model.dispose();
  });

  it('learns: a few SGD steps separate the scores of two sequences', () => {
    const model = createTinyRewardModel({ seed: 1 });
    const margin = () =>
      tf.tidy(() => {
        const s = model.score(batch);
        return (s.dataSync()[0] as number) - (s.dataSync()[1] as number);
      });
    const before = margin();
    const opt = tf.train.sgd(0.3);
    for (let i = 0; i < 20; i++) {
      // -log σ(d) = softplus(-d). tf.logSigmoid's gradient throws under tf.variableGrads in tfjs 4.22 (cpu and wasm).
      opt.minimize(
        () => {
          const s = model.score(batch);
          return tf.softplus(tf.sub(s.slice([1], [1]), s.slice([0], [1]))).sum() as tf.Scalar;
        },
        false,
        Object.values(model.trainableVariables()),
      );
    }
    opt.dispose();
    expect(margin()).toBeGreaterThan(before + 1);
    model.dispose();
  });
});
