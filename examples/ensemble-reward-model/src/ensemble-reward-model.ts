import { InvalidArgumentError, type RewardModel, SPECIFICATION_VERSION, type TokenBatch } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/** How an ensemble combines its members' scores: their mean, or the lowest (a pessimistic, worst-case reward). */
export type EnsembleAggregate = 'mean' | 'min';

/**
 * A reward model made of k frozen members: `score(batch)` is the mean (or the minimum) of the members' `[B]` scores.
 * Worst-case ensembles are a known counter to reward overoptimization (Coste et al. 2024): the policy gains only where
 * every member agrees. Owns its members (`dispose` frees them).
 */
export class EnsembleRewardModel implements RewardModel {
  readonly specificationVersion = SPECIFICATION_VERSION;

  constructor(
    readonly members: readonly RewardModel[],
    readonly aggregate: EnsembleAggregate = 'mean',
  ) {
    if (members.length === 0)
      throw new InvalidArgumentError('EnsembleRewardModel: needs at least one member.');
  }

  /** `[B]`: the members' scores combined by `aggregate`. Caller owns the tensor. */
  score(batch: TokenBatch): tf.Tensor1D {
    return tf.tidy(() => {
      const stacked = tf.stack(this.members.map((m) => m.score(batch)));
      return (this.aggregate === 'min' ? tf.min(stacked, 0) : tf.mean(stacked, 0)) as tf.Tensor1D;
    });
  }

  /** Always `{}`: the ensemble is used frozen (members are trained by the trainer, one at a time). */
  trainableVariables(): Record<string, tf.Variable> {
    return {};
  }

  /** Saving goes through the trainer's folder layout (`member-i/`), not through the model. */
  async save(_dir: string): Promise<void> {
    throw new InvalidArgumentError('EnsembleRewardModel.save: the trainer writes the members (member-i/).');
  }

  clone(): EnsembleRewardModel {
    return this.freeze();
  }

  freeze(): EnsembleRewardModel {
    return new EnsembleRewardModel(
      this.members.map((m) => m.freeze()),
      this.aggregate,
    );
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
