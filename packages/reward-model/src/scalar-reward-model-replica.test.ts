// Builds copies through the package's built `@ocrm/reward-model/replica` (turbo builds this package before its tests).
import { callModuleRef, type ModelReplica } from '@ocrm/core';
import { createModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ScalarRewardModel } from './scalar-reward-model';

const newRm = () =>
  ScalarRewardModel.fromModel(createModel(tinyModelConfig('gpt_neox'), { seed: 2, scoreHead: true }), {
    rewardOffset: 0.25,
  });
const shapes = (vars: Record<string, tf.Variable>) =>
  Object.entries(vars).map(([n, v]) => `${n} [${v.shape}]`);

/** A small token batch (prompt length 2). */
const BATCH = {
  ids: Int32Array.from([5, 6, 7, 8, 1, 5, 9, 1, 0, 0]),
  mask: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
  batchSize: 2,
  seqLength: 5,
  promptLength: 2,
};

describe('ScalarRewardModel.replica', () => {
  it('is a recipe whose copy has the trainable weights and the offset: the same values and scores', async () => {
    const rm = newRm();
    const copy = await callModuleRef<ModelReplica<ScalarRewardModel>>(structuredClone(rm.replica()!));
    expect(shapes(copy.weights)).toEqual(shapes(rm.trainableVariables()));
    for (const [name, v] of Object.entries(rm.trainableVariables())) copy.weights[name]!.assign(v);
    const [a, b] = [rm.score(BATCH), copy.model.score(BATCH)];
    const [va, vb] = [rm.values(BATCH), copy.model.values(BATCH)];
    expect(b.dataSync()).toEqual(a.dataSync());
    expect(vb.dataSync()).toEqual(va.dataSync());
    for (const t of [a, b, va, vb]) t.dispose();
    copy.dispose();
    rm.dispose();
  });

  it('has no recipe with a feature cache', async () => {
    const rm = newRm();
    const head = await ScalarRewardModel.fromBackbone(rm.model, { trainable: 'head' });
    expect(head.replica()).toBeUndefined();
    head.dispose();
    rm.dispose();
  });

  it('a frozen or frozen-backbone model travels with its frozen values: the copy scores the same', async () => {
    const rm = newRm();
    rm.model.setTrainableParams((key) => key === 'score');
    const frozen = rm.freeze();
    for (const model of [rm, frozen]) {
      const copy = await callModuleRef<ModelReplica<ScalarRewardModel>>(structuredClone(model.replica()!));
      expect(shapes(copy.weights)).toEqual(shapes(model.trainableVariables()));
      for (const [name, v] of Object.entries(model.trainableVariables())) copy.weights[name]!.assign(v);
      const [a, b] = [model.score(BATCH), copy.model.score(BATCH)];
      expect(b.dataSync()).toEqual(a.dataSync());
      tf.dispose([a, b]);
      copy.dispose();
    }
    frozen.dispose();
    rm.dispose();
  });
});
