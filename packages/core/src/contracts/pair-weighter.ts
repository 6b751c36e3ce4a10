import type { SpecificationVersion } from './common';
import type { EventHandler } from './events';
import type { StageShard } from './pair-sampler';
import type { Policy } from './policy';
import type { PreferencePair } from './records';
import type { WeightDiagnostics } from './weighting';

/**
 * A run-scoped memo for values that are the same in every round (π_SFT's log-probs of the labelled pairs): returns
 * the value stored under (`name`, `key`) in this run, or computes, stores and returns it. Values must be plain JSON
 * (numbers round-trip to the bit). The pipeline keys it by the labelled pairs' fingerprint, so a change of SFT or
 * pairs never reads a stale entry.
 */
export type RunMemo = <T>(name: string, key: string, compute: () => Promise<T>) => Promise<T>;

/**
 * One weighting run: what the pipeline's `weights-k` stage hands a {@link PairWeighter} (round k ≥ 2 of OCRM).
 * Policies come as loaders: each call loads a fresh frozen copy that the caller of the loader owns and must dispose,
 * so a weighter that needs no policy (a classifier, a rule on the texts) loads none.
 */
export interface PairWeightingRun {
  /** The labelled pairs RM-k is trained on (the same every round), N of them. */
  pairs: readonly PreferencePair[];
  /** OCRM round k (≥ 2): the weights move RM-k's training toward π_{k−1}. */
  round: number;
  /** Loads π_{k−1}, the policy the next RL step starts from (the numerator's distribution). */
  policy(): Promise<Policy>;
  /** Loads π_SFT, the policy the pairs were sampled from (the denominator's distribution). */
  sampler(): Promise<Policy>;
  /**
   * Temperatures of the two distributions: `policy` — the policy optimizer's rollout temperature (what the RM will
   * meet); `sampler` — the temperature the pairs were drawn at (recorded on the pairs, else the `pairs` section's).
   */
  temperatures: { policy: number; sampler: number };
  /** Run-scoped memo (absent outside a run: compute every time). */
  memo?: RunMemo;
  /** Stage name in events (`weights-2`). */
  stage: string;
  /** Abort: reject with the signal's reason (weights are recomputed from scratch on the rerun). */
  signal?: AbortSignal;
  /** Progress and `warning` events. */
  onEvent?: EventHandler;
  /**
   * With a `shardable` weighter: what its `weighShard` returned for every shard of the run, in shard order (the stage
   * computed them in other processes or itself); `weighPairs` then combines them instead of computing that part.
   */
  shardResults?: readonly unknown[];
}

/** What a {@link PairWeighter} returns. The pipeline writes the weights and the diagnostics; nothing else. */
export interface PairWeightingResult {
  /** One finite log-weight per pair, in the pairs' order: Float64Array `[N]`. Weight = `exp(logWeight)`. */
  logWeights: Float64Array;
  /** Diagnostics of exactly these weights (ESS, quantiles, histogram, warnings), e.g. `weightDiagnostics(logWeights)`. */
  diagnostics: WeightDiagnostics;
  /** Extra slash-named metrics (`weights/…`) for the stage's summary and `metrics.jsonl`. */
  metrics: Record<string, number>;
  /** Anything worth keeping (plain JSON): written to `<stage>/details.json`. */
  details?: Record<string, unknown>;
}

/**
 * The OCRM weights stage as a whole: how much each labelled pair counts when RM-k is re-trained. The reference
 * (`densityRatioWeighter` of `@ocrm/weighting`) computes exact summed log-probs under π_{k−1} and π_SFT and applies a
 * {@link WeightingStrategy} (fixed or adaptive λ); a replacement may estimate the ratio another way. Must be
 * deterministic, honour the abort signal, dispose what it loads and leak no tensors; `describePairWeighterContract`
 * in `@ocrm/core/test` checks it.
 */
export interface PairWeighter {
  readonly specificationVersion: SpecificationVersion;
  /** Short name for logs and reports. */
  readonly name: string;
  weighPairs(run: PairWeightingRun): Promise<PairWeightingResult>;
  /**
   * True when the weighter splits its costly part into shards: `weighShard(run, { index, count })` computes shard
   * `index` (plain JSON), and `weighPairs` given every shard's result in `run.shardResults` returns exactly what it
   * returns unsharded. The contract suite checks this when it is declared.
   */
  readonly shardable?: boolean;
  weighShard?(run: PairWeightingRun, shard: StageShard): Promise<unknown>;
}
