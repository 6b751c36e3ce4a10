/**
 * What a worker thread needs to build a copy of a model: its architecture and which weights train (plain data that
 * survives `structuredClone`), and the copy itself. The weights are not part of it: the data-parallel trainer sends
 * them (`GradientWorkers` in `@ocrm/core`).
 */
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
}

/** The {@link ModelReplicaSpec} of `model`. */
export function modelReplicaSpec(model: TransformerModel): ModelReplicaSpec {
  const trainable = new Set(Object.keys(model.trainableVariables()));
  return {
    config: model.config,
    lmHead: model.hasLmHead,
    scoreHead: model.hasScoreHead,
    trainableKeys: model
      .paramSpecs()
      .filter((spec) => trainable.has(spec.hfName))
      .map((spec) => spec.key),
  };
}

/**
 * A model with `spec`'s architecture, weight names and trainable weights; its values are placeholders (seed 0) for
 * the caller to overwrite. The caller owns it.
 */
export function createModelReplica(spec: ModelReplicaSpec): TransformerModel {
  const model = createModel(spec.config, { seed: 0, lmHead: spec.lmHead, scoreHead: spec.scoreHead });
  const keys = new Set(spec.trainableKeys);
  if (keys.size === 0) model.trainable = false;
  else model.setTrainableParams((key) => keys.has(key));
  return model;
}
