/**
 * `@ocrm/ppo/replica`: PPO's replica for data-parallel training. A worker thread of `GradientWorkers` imports it and
 * builds, with {@link createPpoReplica}, copies of the policy and the critic from their own `replica()` recipes; its
 * gradients are those of the update's micro-batches in the main thread (the same {@link ppoMicroBatchGradients}).
 * Given the reference's and the reward model's recipes too, it also samples and scores a share of each rollout
 * (`evaluate`: the same {@link rolloutPart} as the main thread).
 */
import {
  callModuleRef,
  type GradientReplica,
  type ModelReplica,
  type ModuleRef,
  type NamedVariables,
  type Policy,
  type RewardModel,
  type ValueModel,
} from '@ocrm/core';
import {
  type RolloutPart,
  type RolloutPartConfig,
  type RolloutQuery,
  rolloutPart,
} from './rollout/rollout-part';
import { type PpoLossConfig, type PpoMicroBatch, ppoMicroBatchGradients } from './update/ppo-micro-batch';

/** Options of {@link createPpoReplica} (plain data). */
export interface PpoReplicaOptions {
  /** `policy.replica()`: builds a copy of the policy. */
  policy: ModuleRef;
  /** `critic.replica()`: builds a copy of the critic. */
  critic: ModuleRef;
  /** The loss fields of the run's PPO config. */
  loss: PpoLossConfig;
  /** Absent: rollouts stay in the main thread. */
  rollout?: {
    /** `reference.replica()` (a frozen reference carries its values). */
    reference: ModuleRef;
    /** `rewardModel.replica()`. */
    rewardModel: ModuleRef;
    /** The rollout fields of the run's PPO config. */
    config: RolloutPartConfig;
  };
}

/**
 * A replica of PPO's models. Its weights are named as the trainer sends them: `policy/…` and `critic/…` as
 * `ppoVariables` names them, and `reference/…` and `reward/…` for any trainable weight of those two (sent once).
 */
export async function createPpoReplica(
  options: PpoReplicaOptions,
): Promise<GradientReplica<PpoMicroBatch, RolloutQuery, RolloutPart>> {
  const copies: ModelReplica<unknown>[] = [];
  const weights: NamedVariables = {};
  const copy = async <M>(recipe: ModuleRef, prefix: string): Promise<M> => {
    const replica = await callModuleRef<ModelReplica<M>>(recipe);
    copies.push(replica);
    for (const [name, v] of Object.entries(replica.weights)) weights[`${prefix}/${name}`] = v;
    return replica.model;
  };
  const dispose = () => {
    for (const c of copies) c.dispose();
  };
  try {
    const policy = await copy<Policy>(options.policy, 'policy');
    const critic = await copy<ValueModel>(options.critic, 'critic');
    const trained = { ...weights }; // what the gradients are taken of (`ppoVariables`)
    const rollout = options.rollout;
    const models = rollout && {
      policy,
      critic,
      reference: await copy<Policy>(rollout.reference, 'reference'),
      rewardModel: await copy<RewardModel>(rollout.rewardModel, 'reward'),
    };
    return {
      weights,
      gradients: (task) => ppoMicroBatchGradients(policy, critic, trained, task, options.loss),
      ...(models && rollout
        ? {
            evaluate: (query: RolloutQuery) =>
              rolloutPart(models, query.prompts, query.rows, rollout.config, query.update),
          }
        : {}),
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}
