import type { SpecificationVersion } from './common';
import type { Evaluator } from './evaluator';
import type { EventHandler } from './events';
import type { GoldJudge } from './gold-judge';
import type { StageShard } from './pair-sampler';
import type { Policy } from './policy';
import type { PreferencePair } from './records';
import type { RewardModel } from './reward-model';
import type { Task } from './task';

/** One policy a run evaluates: round 0 is π_SFT, then each round's final policy (or the DPO/WPO policy). */
export interface EvaluationTarget {
  round: number;
  /** The stage that wrote the policy (`sft`, `ppo-2`, `dpo`). */
  stage: string;
  /** Loads the policy (frozen); the caller owns the copy and must dispose it. */
  policy(): Promise<Policy>;
  /** Loads the reward model the round's RL step optimised (absent for DPO/WPO); owned by the caller likewise. */
  rewardModel?(): Promise<RewardModel>;
}

/** Metrics of one evaluated policy: one entry of `eval/results.json`. */
export interface EvaluatedRound {
  round: number;
  stage: string;
  /** Slash-named metrics (`eval/gold`, `eval/kl_sft`, `rm/accuracy`, …); finite numbers. */
  metrics: Record<string, number>;
}

/** What the pipeline's `eval` stage hands a {@link RunEvaluator}. */
export interface EvaluationRun {
  /** The policies to evaluate, in order (SFT first). */
  targets: readonly EvaluationTarget[];
  /** Loads π_SFT, the KL reference of `eval/kl_sft` (owned by the caller of the loader). */
  reference(): Promise<Policy>;
  /** Tokenizer, held-out prompts with references, response length. */
  task: Task;
  /** The gold judge (the task's, or the one swapped in). */
  judge: GoldJudge;
  /** Held-out gold-labelled pairs from π_SFT (the RM's in-distribution accuracy); may be empty. */
  heldoutPairs: readonly PreferencePair[];
  /**
   * `count` fresh gold-labelled pairs from `policy` at the rollout temperature — what an RM meets when used with it
   * (drawn by the pipeline from the held-out prompts, its judge labelling, seeded by `round`).
   */
  onPolicyPairs(policy: Policy, round: number, count: number): Promise<PreferencePair[]>;
  /** The policy optimizer's rollout temperature (the KL samples are drawn at it). */
  rolloutTemperature: number;
  /** Seed of every evaluation sample, the same for every target (so targets share random numbers). */
  seed: number;
  /** Extra evaluators whose metrics join each target's. */
  evaluators: readonly Evaluator[];
  /** Stage name in events (`eval`). */
  stage: string;
  /** Abort: reject with the signal's reason (evaluation reruns from scratch). */
  signal?: AbortSignal;
  onEvent?: EventHandler;
  /**
   * Evaluate only shard `index` of `count` of the targets (contiguous, in order): only evaluators that declare
   * `shardable` receive it. The shards' entries, concatenated in index order, must equal the unsharded entries.
   */
  shard?: StageShard;
}

/**
 * The evaluation stage as a whole: measures every round's policy. The reference (`goldRunEvaluator` of `@ocrm/eval`)
 * reports gold score, win rate, proxy score, KL to SFT and the RMs' accuracies; the pipeline writes what it returns
 * to `eval/results.json`. Must return one entry per target in order, be deterministic under `seed`, honour the abort
 * signal, dispose what it loads and leak no tensors; `describeRunEvaluatorContract` in `@ocrm/core/test` checks it.
 */
export interface RunEvaluator {
  readonly specificationVersion: SpecificationVersion;
  readonly name: string;
  /** True when `evaluateRun` honours `run.shard` (the eval stage is then split over processes with `--shards`). */
  readonly shardable?: boolean;
  evaluateRun(run: EvaluationRun): Promise<EvaluatedRound[]>;
}
