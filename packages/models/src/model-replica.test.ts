import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import { tinyModelConfig } from './hf-config';
import { createModelReplica, modelReplicaSpec } from './model-replica';

const shapes = (vars: Record<string, tf.Variable>) =>
  Object.entries(vars).map(([n, v]) => `${n} [${v.shape}]`);

describe('modelReplicaSpec / createModelReplica', () => {
  for (const family of ['gpt_neox', 'qwen2'] as const) {
    it(`${family}: a replica built from the cloned spec has the same weights and trainable weights`, () => {
      const model = createModel(tinyModelConfig(family), { seed: 3, scoreHead: true });
      model.setTrainableParams((key) => key === 'score' || key.startsWith('ln_f'));
      const spec = structuredClone(modelReplicaSpec(model));
      const replica = createModelReplica(spec);
      expect(shapes(replica.variables())).toEqual(shapes(model.variables()));
      expect(Object.keys(replica.trainableVariables())).toEqual(Object.keys(model.trainableVariables()));
      expect(Object.keys(replica.trainableVariables()).length).toBeGreaterThan(1);
      expect(Object.keys(replica.trainableVariables()).length).toBeLessThan(
        Object.keys(model.variables()).length,
      );
      model.dispose();
      replica.dispose();
    });
  }

  it('a frozen model gives a frozen replica; a fully trainable one a fully trainable replica', () => {
    const model = createModel(tinyModelConfig('gpt_neox'), { seed: 3 });
    const full = createModelReplica(modelReplicaSpec(model));
    expect(Object.keys(full.trainableVariables())).toEqual(Object.keys(model.variables()));
    const frozen = model.freeze();
    const none = createModelReplica(modelReplicaSpec(frozen));
    expect(none.trainableVariables()).toEqual({});
    for (const m of [model, full, frozen, none]) m.dispose();
  });
});
