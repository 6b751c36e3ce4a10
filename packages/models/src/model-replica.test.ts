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

  it('with frozenValues the copy carries the frozen weights (bit for bit) and only those', () => {
    const model = createModel(tinyModelConfig('qwen2'), { seed: 3, scoreHead: true });
    model.setTrainableParams((key) => key === 'score');
    const spec = structuredClone(modelReplicaSpec(model, { frozenValues: true }));
    expect(Object.keys(spec.frozenValues!)).toEqual(
      model
        .paramSpecs()
        .filter((s) => s.key !== 'score')
        .map((s) => s.key),
    );
    const replica = createModelReplica(spec);
    for (const s of model.paramSpecs()) {
      const same = [...replica.weight(s.key)!.dataSync()].every(
        (v, i) => v === model.weight(s.key)!.dataSync()[i],
      );
      expect(same, s.key).toBe(s.key !== 'score'); // the trainable head keeps its placeholder
    }
    const bad = { ...spec, frozenValues: { embed: new Float32Array(3) } };
    expect(() => createModelReplica(bad)).toThrow(/frozen value `embed` has 3 values/);
    const trains = { ...spec, frozenValues: { score: spec.frozenValues!.embed! } };
    expect(() => createModelReplica(trains)).toThrow(/`score`/);
    model.dispose();
    replica.dispose();
  });
});
