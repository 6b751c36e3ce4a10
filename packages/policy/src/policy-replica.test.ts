// Builds copies through the package's built `@ocrm/policy/replica` (turbo builds this package before its tests).
import { callModuleRef, type ModelReplica } from '@ocrm/core';
import { createModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CausalLMPolicy } from './causal-lm-policy';

const newPolicy = () =>
  CausalLMPolicy.fromModel(createModel(tinyModelConfig('gpt_neox'), { seed: 2 }), { eosId: 1, padId: 0 });

/** A small token batch (prompt length 2). */
const BATCH = {
  ids: Int32Array.from([5, 6, 7, 8, 1]),
  mask: Uint8Array.from([1, 1, 1, 1, 1]),
  batchSize: 1,
  seqLength: 5,
  promptLength: 2,
};

describe('CausalLMPolicy.replica', () => {
  it('is a recipe whose copy has the trainable weights by name and shape, and computes the same log-probs', async () => {
    const policy = newPolicy();
    const recipe = structuredClone(policy.replica());
    const copy = await callModuleRef<ModelReplica<CausalLMPolicy>>(recipe);
    const shapes = (vars: Record<string, tf.Variable>) =>
      Object.entries(vars).map(([n, v]) => `${n} [${v.shape}]`);
    expect(shapes(copy.weights)).toEqual(shapes(policy.trainableVariables()));
    for (const [name, v] of Object.entries(policy.trainableVariables())) copy.weights[name]!.assign(v);
    const a = policy.logProbs(BATCH, { temperature: 1 });
    const b = copy.model.logProbs(BATCH, { temperature: 1 });
    expect(b.logProbs.dataSync()).toEqual(a.logProbs.dataSync());
    tf.dispose([a.logProbs, b.logProbs]);
    a.entropy?.dispose();
    b.entropy?.dispose();
    copy.dispose();
    policy.dispose();
  });

  it('a partly or wholly frozen policy travels with its frozen values: the copy computes the same', async () => {
    const policy = newPolicy();
    policy.model.setTrainableParams((key) => key.startsWith('ln_f'));
    const frozen = policy.freeze();
    for (const model of [policy, frozen]) {
      const copy = await callModuleRef<ModelReplica<CausalLMPolicy>>(structuredClone(model.replica()));
      expect(Object.keys(copy.weights)).toEqual(Object.keys(model.trainableVariables()));
      for (const [name, v] of Object.entries(model.trainableVariables())) copy.weights[name]!.assign(v);
      const a = model.logProbs(BATCH, { temperature: 1 });
      const b = copy.model.logProbs(BATCH, { temperature: 1 });
      expect(b.logProbs.dataSync()).toEqual(a.logProbs.dataSync());
      tf.dispose([a.logProbs, b.logProbs]);
      copy.dispose();
    }
    frozen.dispose();
    policy.dispose();
  });
});
