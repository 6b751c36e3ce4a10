import type { SpecificationVersion } from './common';
import type { Policy } from './policy';
import type { PreferencePair, PromptExample } from './records';
import type { Tokenizer } from './tokenizer';

/** One pair-sampling run: what the pipeline's `pairs` stage hands a {@link PairSampler}. */
export interface PairSamplingRun {
  /** The SFT policy (frozen): the behaviour policy the pairs come from. */
  policy: Policy;
  /** Training prompts to sample responses to. */
  prompts: readonly PromptExample[];
  tokenizer: Tokenizer;
  /** Response length in tokens, EOS included (the task's). */
  maxNewTokens: number;
  /** Seed: the same seed gives the same pairs. */
  seed: number;
  signal?: AbortSignal;
  /** Progress: pairs done of the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Sample only shard `index` of `count` (0 ≤ index < count): only samplers that declare `shardable` receive it. The
   * shards' pairs, concatenated in index order, must equal the unsharded run's pairs exactly (same seed), so a stage
   * split over `count` processes or array jobs merges into the same file.
   */
  shard?: StageShard;
}

/** One part of a stage's work split into `count` parts (data-parallel stages on several processes or array jobs). */
export interface StageShard {
  /** 0-based part. */
  index: number;
  /** Number of parts (≥ 1). */
  count: number;
}

/**
 * Where the unlabelled response pairs come from. The OCRM weights divide by each response's density under the
 * behaviour policy, so every returned pair must record how it was drawn from `run.policy`: `samplerTemperature` (pure
 * temperature sampling — the weights recompute π_SFT at it) and `logpSamplerChosen` / `logpSamplerRejected` (the
 * summed log-probs at sampling time, checked against the recomputation). Responses run through their first EOS (or
 * `maxNewTokens` without one). The reference is `temperaturePairSampler` in `@ocrm/data`; `describePairSamplerContract`
 * in `@ocrm/core/test` checks these properties.
 */
export interface PairSampler {
  readonly specificationVersion: SpecificationVersion;
  /** Short name for logs and reports. */
  readonly name: string;
  /**
   * True when `sample` honours `run.shard` (the pipeline refuses `--shards` for the pairs stage otherwise). The
   * contract suite then checks that the shards concatenate to the unsharded pairs.
   */
  readonly shardable?: boolean;
  /** Unlabelled pairs (`chosen` / `rejected` are just the two responses until the labels stage orders them). */
  sample(run: PairSamplingRun): Promise<PreferencePair[]>;
}
