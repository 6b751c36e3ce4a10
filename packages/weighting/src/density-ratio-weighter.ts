import {
  InvalidArgumentError,
  type PairWeighter,
  type PairWeightingResult,
  type PairWeightingRun,
  type Policy,
  SPECIFICATION_VERSION,
  type StageShard,
  shardRange,
  type WeightingStrategy,
} from '@ocrm/core';
import { adaptiveImportanceWeighting } from './adaptive-importance-weighting';
import { importanceWeighting } from './importance-weighting';
import {
  computeSequenceLogProbs,
  recordedSamplerLogProbs,
  type SequenceLogProbs,
  samplerDrift,
  weightingInput,
} from './sequence-log-probs';

/** Options of {@link densityRatioWeighter}: the pipeline's `weighting` section. */
export interface DensityRatioWeighterConfig {
  /** Fixed λ (the ratio's exponent, paper §4); used when `targetEss` is null. Default 0 (no correction). */
  ratioExponent?: number | null;
  /** Choose λ per round so ESS/N of the weights equals this (adaptive λ); null = use `ratioExponent`. */
  targetEss?: number | null;
  /** Mixture with the uniform weights, `(1 − α)·w + α` (default 0). */
  alpha?: number;
  /** Ratio over the first K response tokens only; null = whole responses (default). */
  truncateTokens?: number | null;
  /** Clip log-weights to ±this before normalising; null = no clip (default). */
  clipLogWeight?: number | null;
  /** The rule applied to the log-probs; default: built from the fields above. */
  strategy?: WeightingStrategy;
}

const fromJson = (value: { chosen: number[]; rejected: number[] }): SequenceLogProbs => ({
  chosen: Float64Array.from(value.chosen),
  rejected: Float64Array.from(value.rejected),
});

/** Rows per forward of the log-prob passes (`computeSequenceLogProbs`' default): 2 rows a pair. */
const ROWS_PER_FORWARD = 16;

/**
 * The pairs `[start, end)` of shard `shard` of `n`: contiguous blocks of whole forwards (8 pairs), so every response
 * is scored in the same batch as unsharded and the sums are equal to the bit.
 */
export function weightShardRange(n: number, shard: StageShard): [number, number] {
  const block = ROWS_PER_FORWARD / 2;
  const [first, last] = shardRange(Math.ceil(n / block), shard);
  return [Math.min(n, first * block), Math.min(n, last * block)];
}

/** One shard's π_{k−1} sums and, when it computed them, its π_SFT sums (plain JSON). */
interface PolicyShard {
  start: number;
  chosen: number[];
  rejected: number[];
  /** π_SFT's sums of the same pairs (memoised per shard range across rounds). */
  sampler?: { chosen: number[]; rejected: number[] };
}

/**
 * The π_{k−1} sums (or with `sampler`, the π_SFT sums) of all pairs from the shards' results (checked to cover
 * `[0, n)` in order).
 */
function mergePolicyShards(results: readonly unknown[], n: number, sampler = false): SequenceLogProbs {
  const chosen = new Float64Array(n);
  const rejected = new Float64Array(n);
  let next = 0;
  for (const result of results) {
    const shard = result as PolicyShard;
    const part = sampler ? { start: shard?.start, ...shard?.sampler } : shard;
    if (part?.start !== next || !Array.isArray(part.chosen) || part.chosen.length !== part.rejected?.length) {
      throw new InvalidArgumentError(
        `weights shards do not cover the ${n} pairs in order (a shard starts at ${part?.start}, expected ${next}).`,
        {
          hint: 'recompute the shards of this stage (delete its shards folder).',
        },
      );
    }
    chosen.set(part.chosen, next);
    rejected.set(part.rejected, next);
    next += part.chosen.length;
  }
  if (next !== n) throw new InvalidArgumentError(`weights shards cover ${next} of ${n} pairs.`);
  return { chosen, rejected };
}

/**
 * The reference OCRM weights stage: exact summed response log-probs of every labelled pair under π_{k−1} (at the
 * rollout temperature) and under π_SFT (at the temperature the pairs were sampled at; the same full-forward function,
 * memoised across rounds), then the strategy's log-weights — fixed λ, or λ chosen for `targetEss`. Metrics:
 * `weights/sampler_drift` (mean |fresh − recorded| π_SFT sum, nats; only for pairs that record their sampler sums), `weights/mean_log_ratio` (per response) and
 * `weights/ratio_exponent` (λ used; NaN for a strategy that does not report one); details: the same and the
 * temperatures. Shardable (unless per-token): shard i computes π_{k−1}'s and π_SFT's sums of a contiguous block range
 * of pairs ({@link weightShardRange}; π_SFT's memoised per range), and `weighPairs` with every shard's result equals
 * the unsharded weights to the bit.
 * At a fixed λ = 0 (`ratioExponent: 0`, no `targetEss`, no custom strategy) every weight is 1 whatever the
 * densities, so neither policy is loaded: the same weights and weight diagnostics, and of the metrics only
 * `weights/ratio_exponent` (the drift and the mean log-ratio need the passes).
 */
export function densityRatioWeighter(config: DensityRatioWeighterConfig = {}): PairWeighter {
  const shared = {
    alpha: config.alpha ?? 0,
    truncateTokens: config.truncateTokens ?? undefined,
    clipLogWeight: config.clipLogWeight ?? undefined,
  };
  const strategy =
    config.strategy ??
    (config.targetEss != null
      ? adaptiveImportanceWeighting({ ...shared, targetEss: config.targetEss })
      : importanceWeighting({ ...shared, ratioExponent: config.ratioExponent ?? 0 }));
  const keepPerToken = config.truncateTokens != null;
  // A fixed λ = 0 (the re-draw control) weighs every pair 1 whatever the densities: no forward pass is needed.
  const constant =
    config.strategy === undefined && config.targetEss == null && (config.ratioExponent ?? 0) === 0;
  const zeros = (n: number): SequenceLogProbs => ({
    chosen: new Float64Array(n),
    rejected: new Float64Array(n),
  });
  const sumsOf = async (
    pairs: PairWeightingRun['pairs'],
    load: () => Promise<Policy>,
    temperature: number,
    signal?: AbortSignal,
  ) => {
    const policy = await load();
    try {
      return await computeSequenceLogProbs(policy, pairs, {
        keepPerToken,
        temperature,
        signal,
        microBatchSize: ROWS_PER_FORWARD,
      });
    } finally {
      policy.dispose();
    }
  };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `density-ratio:${strategy.name}`,
    // Shards compute π_{k−1}'s sums (the part that changes every round); π_SFT's come from the run memo.
    shardable: !keepPerToken,
    async weighShard(run: PairWeightingRun, shard: StageShard): Promise<PolicyShard> {
      if (keepPerToken)
        throw new InvalidArgumentError('per-token weights (truncateTokens) are not shardable.');
      const [start, end] = weightShardRange(run.pairs.length, shard);
      if (constant)
        return { start, chosen: new Array(end - start).fill(0), rejected: new Array(end - start).fill(0) };
      const slice = run.pairs.slice(start, end);
      const s = await sumsOf(slice, run.policy, run.temperatures.policy, run.signal);
      // π_SFT's sums of the same range, kept per range in the run memo: the first weights round computes them in
      // the shards too (not after them, in one process), later rounds read them.
      const computeSampler = async () => {
        const t = await sumsOf(slice, run.sampler, run.temperatures.sampler, run.signal);
        return { chosen: Array.from(t.chosen), rejected: Array.from(t.rejected) };
      };
      const sampler = run.memo
        ? await run.memo(
            'sft-log-probs',
            `T=${run.temperatures.sampler} pairs ${start}-${end} of ${run.pairs.length}`,
            computeSampler,
          )
        : await computeSampler();
      return { start, chosen: Array.from(s.chosen), rejected: Array.from(s.rejected), sampler };
    },
    async weighPairs(run: PairWeightingRun): Promise<PairWeightingResult> {
      const { pairs, temperatures, signal } = run;
      if (constant) {
        const weighed = strategy.weigh(weightingInput(zeros(pairs.length), zeros(pairs.length)));
        return {
          logWeights: weighed.logWeights,
          diagnostics: weighed.diagnostics,
          metrics: { 'weights/ratio_exponent': 0 },
          details: {
            samplerDrift: null,
            meanLogRatio: null,
            temperatures,
            ratioExponent: 0,
            densities: 'not computed: at a fixed λ = 0 every weight is 1',
          },
        };
      }
      const sums = (load: () => Promise<Policy>, temperature: number) =>
        sumsOf(pairs, load, temperature, signal);
      const computeSampler = () => sums(run.sampler, temperatures.sampler);
      // Shards that computed π_SFT's sums of their ranges give them all (equal to one pass: block-aligned ranges).
      const fromShards = run.shardResults?.every((r) => (r as PolicyShard)?.sampler !== undefined)
        ? mergePolicyShards(run.shardResults, pairs.length, true)
        : undefined;
      // π_SFT's sums are the same every round: memoised (per-token runs keep their own pass).
      let samplerSums: SequenceLogProbs | undefined;
      if (!keepPerToken && run.memo) {
        const stored = await run.memo('sft-log-probs', `T=${temperatures.sampler}`, async () => {
          const s = fromShards ?? (await computeSampler());
          return { chosen: Array.from(s.chosen), rejected: Array.from(s.rejected) };
        });
        if (stored.chosen.length === pairs.length && stored.rejected.length === pairs.length)
          samplerSums = fromJson(stored);
      }
      samplerSums ??= fromShards ?? (await computeSampler());
      const policySums = run.shardResults
        ? mergePolicyShards(run.shardResults, pairs.length)
        : await sums(run.policy, temperatures.policy);
      const weighed = strategy.weigh(weightingInput(policySums, samplerSums));
      const ratioExponent =
        'ratioExponent' in weighed && typeof weighed.ratioExponent === 'number'
          ? weighed.ratioExponent
          : config.strategy
            ? Number.NaN
            : (config.ratioExponent ?? Number.NaN);
      // Drift against the sums recorded at sampling: meaningful at the sampling temperature (the denominator's).
      // Pairs from a dataset record none (their behaviour density is unknown; π_SFT stands in for it).
      const recorded = pairs.every(
        (p) => p.logpSamplerChosen !== undefined && p.logpSamplerRejected !== undefined,
      );
      const drift = recorded ? samplerDrift(samplerSums, recordedSamplerLogProbs(pairs)) : undefined;
      let meanLogRatio = 0;
      for (let i = 0; i < pairs.length; i++) {
        meanLogRatio +=
          policySums.chosen[i]! - samplerSums.chosen[i]! + policySums.rejected[i]! - samplerSums.rejected[i]!;
      }
      meanLogRatio /= Math.max(1, 2 * pairs.length);
      return {
        logWeights: weighed.logWeights,
        diagnostics: weighed.diagnostics,
        metrics: {
          ...(drift === undefined ? {} : { 'weights/sampler_drift': drift }),
          'weights/mean_log_ratio': meanLogRatio,
          'weights/ratio_exponent': ratioExponent,
        },
        details: { samplerDrift: drift ?? null, meanLogRatio, temperatures, ratioExponent },
      };
    },
  };
}
