/**
 * The reward-model trainer's replica for data-parallel training (in `@ocrm/reward-model/replica`): a worker
 * thread of `GradientWorkers` imports it and builds the replica with {@link createRewardModelReplica}. Its
 * gradients are those of `rewardModelStep`'s micro-batches in the main thread: the same {@link pairGradients}.
 */
import type { GradientReplica } from '@ocrm/core';
import { createModelReplica, type ModelReplicaSpec } from '@ocrm/models';
import { type PairMicroBatch, pairGradients } from './pair-gradients';
import { ScalarRewardModel } from './scalar-reward-model';

/** Options of {@link createRewardModelReplica} (plain data). */
export interface RewardModelReplicaOptions {
  /** The reward model's backbone + score head and trainable weights (`modelReplicaSpec(rm.model)`). */
  model: ModelReplicaSpec;
  /** Its reward offset during training. */
  rewardOffset: number;
}

/** A replica of a `ScalarRewardModel` without a feature cache: tasks are micro-batches of pairs. */
export function createRewardModelReplica(
  options: RewardModelReplicaOptions,
): GradientReplica<PairMicroBatch> {
  const rm = ScalarRewardModel.fromModel(createModelReplica(options.model), {
    rewardOffset: options.rewardOffset,
  });
  const trainable = rm.trainableVariables();
  return {
    weights: rm.model.variables(),
    gradients: (task) => pairGradients(rm, trainable, task),
    dispose: () => rm.dispose(),
  };
}
