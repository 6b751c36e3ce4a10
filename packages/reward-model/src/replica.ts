/**
 * `@ocrm/reward-model/replica`: what data-parallel worker threads import — the reward-model trainer's gradient
 * replica and the `ScalarRewardModel.replica()` recipe.
 */
export { createRewardModelReplica, type RewardModelReplicaOptions } from './bt-replica';
export {
  createScalarRewardModelReplica,
  type ScalarRewardModelReplicaOptions,
} from './scalar-reward-model-replica';
