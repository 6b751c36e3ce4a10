import type { DataParallelOptions } from '../parallel/data-parallel-options';
import type { SpecificationVersion } from './common';
import type { EventHandler } from './events';
import type { PreferencePair } from './records';
import type { RewardModel, ValueModel } from './reward-model';
import type { Tokenizer } from './tokenizer';

/** One reward-model training: what the pipeline's `rm-k` stage hands a {@link RewardModelTrainer}. */
export interface RewardModelTrainingRun {
  /**
   * The labelled pairs (`chosen` preferred). In OCRM rounds k ≥ 2 each carries `logWeight`, the importance weight of
   * `weights-k` in log space (absent = weight 1).
   */
  pairs: readonly PreferencePair[];
  /** Held-out labelled pairs, for accuracy. */
  evalPairs: readonly PreferencePair[];
  /** The SFT model folder (Hugging Face layout), from which a reference reward model takes its backbone. */
  initModelDir: string;
  /** Seed of every random choice (head initialisation, data order). */
  seed: number;
  /** OCRM round (1 = the unweighted RM-1). */
  round: number;
  /**
   * The stage's folder: `train` writes there what `load` reads, and a checkpoint it left there after an abort is
   * resumed from.
   */
  dir: string;
  /**
   * Prompt and reference-response ids (responses through their EOS) of SFT demonstrations: the reward is centred so
   * their mean score is 0 (the critic's scale in PPO).
   */
  references: { prompts: readonly ArrayLike<number>[]; responses: readonly ArrayLike<number>[] };
  /** PAD id of the task's tokenizer. */
  padId: number;
  /** The task's tokenizer: trainers that write a Hugging Face model folder save it beside the weights. */
  tokenizer?: Tokenizer;
  /**
   * A folder the run's trainings share for what they can reuse across rounds (the reference trainer keeps a frozen
   * backbone's features there, keyed by a hash of the backbone); absent = nothing is kept. What a trainer keeps there
   * must be keyed by everything it depends on: other trainers and other rounds read the same folder.
   */
  cacheDir?: string;
  /** Stage name in events (`rm-k`). */
  stage: string;
  signal?: AbortSignal;
  onEvent?: EventHandler;
  /**
   * Worker threads the trainer may compute micro-batches in (same numbers, more cores); a trainer without data
   * parallelism ignores it.
   */
  dataParallel?: DataParallelOptions;
}

/**
 * How reward models are trained and loaded: the `rm-k` stages call `train`; the policy optimizer's stages and the
 * evaluation call `load` (and `loadCritic` when the optimizer learns a value function). The reference is
 * `scalarRewardModelTrainer` in `@ocrm/reward-model` (a Bradley-Terry scalar head on the SFT backbone); an ensemble,
 * a differently headed model or one served by another process implement the same three methods.
 * `describeRewardModelTrainerContract` in `@ocrm/core/test` checks an implementation.
 */
export interface RewardModelTrainer {
  readonly specificationVersion: SpecificationVersion;
  /** Short name for logs and reports. */
  readonly name: string;
  /**
   * Trains on `run.pairs` (weighted by their `logWeight`) and writes the result into `run.dir`.
   * @returns summary metrics; `rm/heldout_accuracy` (accuracy on `evalPairs`, ties excluded) at least.
   */
  train(run: RewardModelTrainingRun): Promise<Record<string, number>>;
  /** The frozen reward model `train` wrote into `dir`. The caller disposes it. */
  load(dir: string): Promise<RewardModel>;
  /**
   * A trainable value model initialised from what `train` wrote into `dir` (PPO's critic). Absent when the trainer
   * cannot provide one: then only critic-free optimizers (RLOO, GRPO) can use its reward models.
   */
  loadCritic?(dir: string): Promise<ValueModel>;
}
