/**
 * The {@link ScalarRewardModel.replica} recipe: a worker thread of a data-parallel trainer (e.g. PPO's, for its
 * critic) builds a copy with {@link createScalarRewardModelReplica}; the trainer sends the weights' values.
 */
import type { ModelReplica } from '@ocrm/core';
import { createModelReplica, type ModelReplicaSpec } from '@ocrm/models';
import { ScalarRewardModel } from './scalar-reward-model';

/** Options of {@link createScalarRewardModelReplica} (plain data). */
export interface ScalarRewardModelReplicaOptions {
  /** The backbone + score head and its trainable weights (`modelReplicaSpec(rm.model)`). */
  model: ModelReplicaSpec;
  /** The reward offset its scores and values subtract. */
  rewardOffset: number;
}

/** A copy of a `ScalarRewardModel` (placeholder weights, no feature cache); `weights` are its trainable variables. */
export function createScalarRewardModelReplica(
  options: ScalarRewardModelReplicaOptions,
): ModelReplica<ScalarRewardModel> {
  const rm = ScalarRewardModel.fromModel(createModelReplica(options.model), {
    rewardOffset: options.rewardOffset,
  });
  return { model: rm, weights: rm.trainableVariables(), dispose: () => rm.dispose() };
}
