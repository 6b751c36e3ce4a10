/**
 * The SFT trainer's replica for data-parallel training (in `@ocrm/policy/replica`): a worker thread of
 * `GradientWorkers` imports it and builds the replica with {@link createSftReplica}. Its gradients are those of
 * `trainSft`'s micro-batches in the main thread: the same {@link sftLoss}, per micro-batch token mean.
 */
import { type GradientReplica, namedGrads, type TokenBatch } from '@ocrm/core';
import { createModelReplica, type ModelReplicaSpec } from '@ocrm/models';
import { sftLoss } from './sft-loss';

/** Options of {@link createSftReplica} (plain data). */
export interface SftReplicaOptions {
  /** The policy model's architecture and trainable weights (`modelReplicaSpec(policy.model)`). */
  model: ModelReplicaSpec;
  /** `sft.promptLossWeight` of the run. */
  promptLossWeight: number;
}

/**
 * A replica of an SFT policy: tasks are micro-batches (`TokenBatch`, prompt + demonstration rows `[B, T]`); each
 * gives the token-mean next-token loss and its gradients by weight name.
 */
export function createSftReplica(options: SftReplicaOptions): GradientReplica<TokenBatch> {
  const model = createModelReplica(options.model);
  const trainable = model.trainableVariables();
  return {
    weights: model.variables(),
    gradients: (batch) =>
      namedGrads(trainable, () => sftLoss(model, batch, undefined, options.promptLossWeight).loss),
    dispose: () => model.dispose(),
  };
}
