/**
 * The {@link CausalLMPolicy.replica} recipe: a worker thread of a data-parallel trainer (e.g. PPO's) builds a copy of
 * the policy with {@link createCausalLMPolicyReplica}; the trainer sends the weights' values.
 */
import type { ModelReplica } from '@ocrm/core';
import { createModelReplica, type ModelReplicaSpec } from '@ocrm/models';
import { CausalLMPolicy, type PolicyTokenIds } from './causal-lm-policy';

/** Options of {@link createCausalLMPolicyReplica} (plain data). */
export interface CausalLMPolicyReplicaOptions extends PolicyTokenIds {
  /** The model's architecture and trainable weights (`modelReplicaSpec(policy.model)`). */
  model: ModelReplicaSpec;
}

/** A copy of a `CausalLMPolicy` (placeholder weights); `weights` are its trainable variables. */
export function createCausalLMPolicyReplica(
  options: CausalLMPolicyReplicaOptions,
): ModelReplica<CausalLMPolicy> {
  const policy = CausalLMPolicy.fromModel(createModelReplica(options.model), {
    eosId: options.eosId,
    padId: options.padId,
  });
  return { model: policy, weights: policy.trainableVariables(), dispose: () => policy.dispose() };
}
