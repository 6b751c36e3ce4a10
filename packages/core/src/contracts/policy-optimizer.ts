import type { DataParallelOptions } from '../parallel/data-parallel-options';
import type { SpecificationVersion } from './common';
import type { EventHandler } from './events';
import type { Policy } from './policy';
import type { RewardModel, ValueModel } from './reward-model';

/**
 * One policy-optimisation run: what the pipeline's `ppo-k` stage hands a {@link PolicyOptimizer} (round k of OCRM, or
 * the one RL stage of standard RLHF). The optimizer trains `policy` in place; the caller owns every model.
 */
export interface PolicyOptimizationRun {
  /** The policy to train, in place (π_{k−1} at the start of round k). */
  policy: Policy;
  /** Frozen KL reference (π_{k−1} or π_SFT, per the pipeline's `klReference`). Never trained. */
  reference: Policy;
  /** Frozen reward model (RM_k) that scores sampled responses. Never trained. */
  rewardModel: RewardModel;
  /**
   * A trainable value model initialised from a reward model, for optimizers that learn one (PPO's critic,
   * `usesCritic: true`); `undefined` for the others, which must not need it.
   */
  critic?: ValueModel;
  /** Training prompts as unpadded token ids. */
  prompts: readonly ArrayLike<number>[];
  /** Response length in tokens, EOS included (the task's; an optimizer's own config may override it). */
  maxNewTokens: number;
  /** Optimisation updates of this run (one update = one batch of sampled responses and its optimisation). */
  totalUpdates: number;
  /**
   * Seed of every random choice (prompt order, sampling, minibatches): the same seed gives the same run (an
   * optimizer's own config may override it).
   */
  seed: number;
  /** Call `onEval` every this many updates and after the last; 0 = only after the last (overridable likewise). */
  evalEvery: number;
  /** Evaluation hook; `update` counts finished updates. Its metrics join the `eval-end` event. */
  onEval?: (policy: Policy, update: number) => Promise<Record<string, number>>;
  /**
   * Folder of the run's checkpoint: the optimizer writes one there when aborted (and may write more often); when the
   * folder already holds one, the run resumes from it and ends as an uninterrupted run would have.
   */
  checkpointDir: string;
  /**
   * Stop after this many finished updates (default `totalUpdates`): one segment of a schedule that spans several
   * OCRM rounds (`roundStart: continue`); the state at the stop is checkpointed so the next segment can continue it.
   * Only for optimizers with `canContinue: true`.
   */
  stopAfter?: number;
  /**
   * Continue an earlier segment of the same schedule (`roundStart: continue`): start from the checkpoint in
   * `continueFrom.checkpointDir` (policy, optimizer moments, update count) instead of afresh; `critic: false` keeps the
   * critic passed in (fresh moments). Only for optimizers with `canContinue: true`.
   */
  continueFrom?: { checkpointDir: string; critic: boolean };
  /** Stage name in events. */
  stage: string;
  /** Abort: the optimizer saves a checkpoint after the current update and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Receives `run-start`, one `step-end` per update, `eval-end`, `checkpoint` and `run-end` events. */
  onEvent?: EventHandler;
  /**
   * Worker threads the optimizer may compute micro-batches in (same numbers, more cores); an optimizer without data
   * parallelism ignores it.
   */
  dataParallel?: DataParallelOptions;
}

/** What a policy-optimisation run returns. */
export interface PolicyOptimizationResult {
  /** Updates finished in total (a resumed or continued run counts the earlier ones). */
  updates: number;
  /** Responses sampled in total. */
  episodes: number;
  /**
   * Metrics of the last update, under TRL's names where they exist: `objective/scores` (mean reward-model score),
   * `objective/kl` (mean summed KL to the reference), `loss/policy`, `policy/clipfrac`, and the optimizer's own.
   */
  metrics: Record<string, number>;
}

/**
 * A policy optimizer: the RL step of RLHF (PPO, RLOO, GRPO, …). The pipeline's `ppo-k` stages call it with the round's
 * policy, reference and reward model, write the overoptimization curve through `onEval`, and save the policy
 * afterwards. Implementations must be deterministic under `seed`, resume after an abort to the same final policy, and
 * leak no tensors; `describePolicyOptimizerContract` in `@ocrm/core/test` checks all three.
 */
export interface PolicyOptimizer {
  readonly specificationVersion: SpecificationVersion;
  /** Short name for logs and reports (`ppo`, `rloo`, `grpo`). */
  readonly name: string;
  /** Whether runs need `critic` (a value model initialised from the reward model). */
  readonly usesCritic: boolean;
  /** Whether runs accept `continueFrom` (one schedule across OCRM rounds, `roundStart: continue`). */
  readonly canContinue: boolean;
  /** The sampling temperature of rollouts, which the OCRM weights take as the policy's density (π_{k−1} at T). */
  readonly temperature: number;
  optimize(run: PolicyOptimizationRun): Promise<PolicyOptimizationResult>;
}
