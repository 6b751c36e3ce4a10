/**
 * `@ocrm/ppo/replica`: the PPO update's replica for data-parallel training. A worker thread of `GradientWorkers`
 * imports it and builds, with {@link createPpoReplica}, copies of the policy and the critic from their own
 * `replica()` recipes; its gradients are those of the update's micro-batches in the main thread (the same
 * {@link ppoMicroBatchGradients}).
 */
import {
  callModuleRef,
  type GradientReplica,
  type ModelReplica,
  type ModuleRef,
  type NamedVariables,
  type Policy,
  type ValueModel,
} from '@ocrm/core';
import { type PpoLossConfig, type PpoMicroBatch, ppoMicroBatchGradients } from './update/ppo-micro-batch';

/** Options of {@link createPpoReplica} (plain data). */
export interface PpoReplicaOptions {
  /** `policy.replica()`: builds a copy of the policy. */
  policy: ModuleRef;
  /** `critic.replica()`: builds a copy of the critic. */
  critic: ModuleRef;
  /** The loss fields of the run's PPO config. */
  loss: PpoLossConfig;
}

/** A replica of PPO's policy and critic; its weights are named `policy/…` and `critic/…` as `ppoVariables` names them. */
export async function createPpoReplica(options: PpoReplicaOptions): Promise<GradientReplica<PpoMicroBatch>> {
  const policy = await callModuleRef<ModelReplica<Policy>>(options.policy);
  const critic = await callModuleRef<ModelReplica<ValueModel>>(options.critic);
  const weights: NamedVariables = {};
  for (const [name, v] of Object.entries(policy.weights)) weights[`policy/${name}`] = v;
  for (const [name, v] of Object.entries(critic.weights)) weights[`critic/${name}`] = v;
  return {
    weights,
    gradients: (task) => ppoMicroBatchGradients(policy.model, critic.model, weights, task, options.loss),
    dispose: () => {
      policy.dispose();
      critic.dispose();
    },
  };
}
