import type { DataParallelOptions } from '../parallel/data-parallel-options';
import type { SpecificationVersion } from './common';
import type { EventHandler } from './events';
import type { Policy } from './policy';
import type { SftExample } from './records';
import type { Tokenizer } from './tokenizer';

/** One supervised fine-tuning: what the pipeline's `sft` stage hands an {@link SftTrainer}. */
export interface SftTrainingRun {
  /** The initial policy (scratch, local or Hub model), trained in place; the stage saves it afterwards. */
  policy: Policy;
  tokenizer: Tokenizer;
  /** Demonstrations to train on. */
  train: readonly SftExample[];
  /** Held-out demonstrations (eval loss). */
  eval: readonly SftExample[];
  /** Seed of every random choice (data order, dropout if any): the same seed gives the same policy. */
  seed: number;
  /** The stage's folder: a checkpoint left there after an abort is resumed from. */
  dir: string;
  /** Stage name in events (`sft`). */
  stage: string;
  /** Abort: the trainer stops after the current step and rejects; a rerun in `dir` resumes. */
  signal?: AbortSignal;
  onEvent?: EventHandler;
  /**
   * Worker threads the trainer may compute micro-batches in (same numbers, more cores); a trainer without data
   * parallelism ignores it.
   */
  dataParallel?: DataParallelOptions;
}

/**
 * Supervised fine-tuning, the first stage of RLHF: trains `run.policy` on demonstrations. The reference is `sftTrainer`
 * in `@ocrm/policy` (completion-only or full-sequence loss, AdamW, cosine schedule); `describeSftTrainerContract` in
 * `@ocrm/core/test` checks an implementation.
 */
export interface SftTrainer {
  readonly specificationVersion: SpecificationVersion;
  /** Short name for logs and reports. */
  readonly name: string;
  /** Trains `run.policy` in place. @returns summary metrics (`loss/train`, `loss/eval`, `steps`, …). */
  train(run: SftTrainingRun): Promise<Record<string, number>>;
}
