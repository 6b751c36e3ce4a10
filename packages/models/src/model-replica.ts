/**
 * What a worker thread needs to build a copy of a model: its architecture, which weights train and, on request, the
 * values of those that do not (plain data that survives `structuredClone`), and the copy itself. The trainable
 * weights' values are not part of it: the data-parallel trainer sends them (`GradientWorkers` in `@ocrm/core`).
 */
import { ShapeError } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { createModel } from './create-model';
import type { TransformerModel } from './model';

/** A model's architecture and trainable weights, as plain data. */
export interface ModelReplicaSpec {
  /** The normalised configuration. */
  config: ModelConfig;
  /** The model has an LM head (tied or `lm_head`). */
  lmHead: boolean;
  /** The model has the scalar `score` head. */
  scoreHead: boolean;
  /** Internal keys of the weights `trainableVariables()` returns (empty for a frozen model). */
  trainableKeys: string[];
  /**
   * Values of the weights that do not train, by internal key, flat in the internal layout (the copy gets them;
   * nobody else sends them). Absent: the copy's frozen weights keep placeholders, for a caller that sends every
   * weight itself.
   */
  frozenValues?: Record<string, Float32Array>;
}

/** Options of {@link modelReplicaSpec}. */
export interface ModelReplicaSpecOptions {
  /** Put the frozen weights' values into the spec (copies), so that the copy computes what the model does. */
  frozenValues?: boolean;
}

/** The {@link ModelReplicaSpec} of `model`. */
export function modelReplicaSpec(
  model: TransformerModel,
  options: ModelReplicaSpecOptions = {},
): ModelReplicaSpec {
  const trainable = new Set(Object.keys(model.trainableVariables()));
  const specs = model.paramSpecs();
  const spec: ModelReplicaSpec = {
    config: model.config,
    lmHead: model.hasLmHead,
    scoreHead: model.hasScoreHead,
    trainableKeys: specs.filter((s) => trainable.has(s.hfName)).map((s) => s.key),
  };
  if (options.frozenValues) {
    spec.frozenValues = {};
    for (const s of specs) {
      if (trainable.has(s.hfName)) continue;
      spec.frozenValues[s.key] = Float32Array.from(model.weight(s.key)!.dataSync() as Float32Array);
    }
  }
  return spec;
}

/**
 * A model with `spec`'s architecture, weight names and trainable weights; the frozen weights get `spec.frozenValues`
 * when given, every other value is a placeholder (seed 0) for the caller to overwrite. The caller owns it.
 */
export function createModelReplica(spec: ModelReplicaSpec): TransformerModel {
  const model = createModel(spec.config, { seed: 0, lmHead: spec.lmHead, scoreHead: spec.scoreHead });
  const keys = new Set(spec.trainableKeys);
  if (keys.size === 0) model.trainable = false;
  else model.setTrainableParams((key) => keys.has(key));
  for (const [key, values] of Object.entries(spec.frozenValues ?? {})) {
    const variable = model.weight(key);
    if (!variable || variable.size !== values.length || keys.has(key)) {
      model.dispose();
      throw new ShapeError(
        `createModelReplica: frozen value \`${key}\` has ${values.length} values; the model's weight ` +
          (variable ? `has ${variable.size}${keys.has(key) ? ' and trains' : ''}.` : 'does not exist.'),
      );
    }
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
  }
  return model;
}
