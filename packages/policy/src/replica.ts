/**
 * `@ocrm/policy/replica`: what data-parallel worker threads import — the SFT trainer's gradient replica and the
 * `CausalLMPolicy.replica()` recipe.
 */
export { type CausalLMPolicyReplicaOptions, createCausalLMPolicyReplica } from './policy-replica';
export { createSftReplica, type SftReplicaOptions } from './sft/sft-replica';
