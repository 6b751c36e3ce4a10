import type { SpecificationVersion } from './common';

/**
 * The stand-in for human raters: scores responses to prompts. Text in, so any judge fits (a formula, a neural
 * reward model with its own tokenizer, a remote API).
 */
export interface GoldJudge {
  readonly specificationVersion: SpecificationVersion;
  /** Short name for reports. */
  readonly name: string;
  /**
   * Responses scored together, when a response's score can depend on the others in its batch (a neural judge's
   * padded forward): labelling split into shards cuts them at multiples of it, so every response is scored in the
   * same batch as unsharded. Absent: scores do not depend on batching.
   */
  readonly batchSize?: number;
  /**
   * True when scoring costs less than starting a process (a formula over text: thousands of responses well under a
   * second): the labels stage then scores in its own process even with shards (`ocrm run --shards`, SLURM arrays),
   * where a shard process would spend more time starting than scoring. Absent: false (a neural or remote judge).
   */
  readonly inexpensive?: boolean;
  /** One score per (prompt, response); arrays of equal length. Higher is better. Responses exclude the EOS;
   * `ended[i]` false means response i never produced an EOS (judges may penalise it). */
  score(
    prompts: readonly string[],
    responses: readonly string[],
    ended?: readonly boolean[],
  ): Promise<number[]>;
}
