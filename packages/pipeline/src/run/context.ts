import type {
  DataParallelOptions,
  Evaluator,
  GoldJudge,
  PairSampler,
  PairWeighter,
  PolicyOptimizer,
  PreferencePair,
  RewardModelTrainer,
  RunDirectory,
  RunEvaluator,
  RunReporter,
  SftTrainer,
  Task,
  WeightingStrategy,
  WorkerThreads,
} from '@ocrm/core';
import type { PipelineConfig } from '../config/schema';
import type { PipelineEvent } from './events';

/**
 * Stage implementations a caller can swap (everything else is the reference implementation). Each must pass the
 * `@ocrm/core/test` contract suite of its contract.
 */
export interface PipelineStages {
  /** The task; default: the built-in task named by `config.task` (`@ocrm/data` `getTask`). */
  task?: Task;
  /** The gold judge used for labels and evaluation; default: the task's. */
  judge?: GoldJudge;
  /**
   * The OCRM weighting rule inside the reference weights stage; default: fixed or adaptive λ from `config.weighting`
   * (or a `WeightingStrategy` exported by `config.weighting.module`). Ignored when `pairWeighter` is given.
   */
  weighting?: WeightingStrategy;
  /**
   * The weights stage as a whole (`weights-k`); default: `densityRatioWeighter` of `@ocrm/weighting` with the
   * `weighting` section and `weighting` above (or a `PairWeighter` exported by `config.weighting.module`).
   */
  pairWeighter?: PairWeighter;
  /** The `eval` stage as a whole; default: `goldRunEvaluator(config.eval)` of `@ocrm/eval` (or `eval.module`). */
  runEvaluator?: RunEvaluator;
  /** The `report` stage; default: `htmlReporter()` of `@ocrm/eval` (or `reportModule`). */
  runReporter?: RunReporter;
  /** Extra evaluators run on every round's final policy; their metrics join the round's. */
  evaluators?: readonly Evaluator[];
  /** Trains the initial policy on the demonstrations (`sft`); default: `sftTrainer(config.sft)` of `@ocrm/policy`. */
  sftTrainer?: SftTrainer;
  /**
   * Draws the unlabelled pairs from the SFT policy (`pairs`); default: `temperaturePairSampler` of `@ocrm/data` with
   * `pairs.passes`, `pairs.temperature`, `pairs.microBatchSize`.
   */
  pairSampler?: PairSampler;
  /**
   * The RL step of every round (`ppo-k` stages); default: the optimizer `config.policyOptimizer` names (PPO, RLOO or
   * GRPO from its section). Updates per round come from that section's `totalUpdates`; an optimizer that cannot
   * continue needs `roundStart: restart` when rounds loop.
   */
  policyOptimizer?: PolicyOptimizer;
  /**
   * Trains the `rm-k` reward models and loads them for the RL step and the evaluation; default:
   * `scalarRewardModelTrainer` of `@ocrm/reward-model` with the `rewardModel` section (`trainable` and the trainer's
   * fields) and `weighting.normalize: batch`.
   */
  rewardModelTrainer?: RewardModelTrainer;
}

/** What every stage receives. */
export interface StageContext {
  config: PipelineConfig;
  run: RunDirectory;
  task: Task;
  judge: GoldJudge;
  pairWeighter: PairWeighter;
  runEvaluator: RunEvaluator;
  runReporter: RunReporter;
  evaluators: readonly Evaluator[];
  sftTrainer: SftTrainer;
  pairSampler: PairSampler;
  policyOptimizer: PolicyOptimizer;
  rewardModelTrainer: RewardModelTrainer;
  /**
   * The pairs of `pairs.dataset` (read once; already read and checked when the context was created unless the
   * `pairs` stage was done); absent when pairs are sampled.
   */
  datasetPairs?: () => Promise<{ pairs: PreferencePair[]; stats: Record<string, number> }>;
  /**
   * Shards the data-parallel `pairs` stage is split into (default 1): the stage reads the shard files other processes
   * wrote (`ocrm stage <runDir> pairs --shard i/N`, SLURM array tasks), samples those still missing itself, and
   * merges them in order.
   */
  shards?: number;
  /** Worker threads of the trainers that support data parallelism (SFT, reward models, PPO); absent = none. */
  dataParallel?: DataParallelOptions;
  /**
   * The threads the training stages share when `dataParallel` brings none: started by the first stage that uses
   * them, stopped by the pipeline at its end.
   */
  workerThreads?: WorkerThreads;
  signal?: AbortSignal;
  emit(event: PipelineEvent): void;
}

/** A stage: writes its outputs into its folder and returns a summary of numbers (the runner marks it done). */
export type StageRunner = (
  ctx: StageContext,
  stage: { name: string; round?: number },
) => Promise<Record<string, number>>;
