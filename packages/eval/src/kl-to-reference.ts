import { computeLogProbs, InvalidArgumentError, type Policy } from '@ocrm/core';

/** Options of {@link klToReference}. */
export interface KlOptions {
  /** Rollout temperature: sampling and both log-prob passes use it (default 0.7). */
  temperature?: number;
  /** Response positions sampled (fixed length; tokens after the first EOS are padding). */
  maxNewTokens: number;
  /** Seed of the sampler; a fixed seed gives common random numbers across evaluations. */
  seed: number;
  /** RNG stream (default 0). */
  stream?: number;
  /** Rows per forward pass (default 16). */
  microBatchSize?: number;
  signal?: AbortSignal;
}

/**
 * Per-prompt sampled log-ratios: one response per prompt sampled from `policy` at `temperature`, then
 * `Σ_t [log π(y_t) - log π_ref(y_t)]` over its tokens through the first EOS, both terms from `logProbs` at the same
 * temperature (the same full-forward function, so the estimate has no systematic bias). Host float64 `[N]`.
 */
export async function sampledLogRatios(
  policy: Policy,
  reference: Policy,
  promptIds: readonly ArrayLike<number>[],
  options: KlOptions,
): Promise<Float64Array> {
  const temperature = options.temperature ?? 0.7;
  const microBatchSize = options.microBatchSize ?? 16;
  if (!(temperature > 0)) {
    throw new InvalidArgumentError(`klToReference: temperature must be > 0 (sampled KL), got ${temperature}`);
  }
  if (promptIds.length === 0) throw new InvalidArgumentError('klToReference: no prompts');
  const sample = await policy.sample(promptIds, {
    temperature,
    maxNewTokens: options.maxNewTokens,
    lengthMode: 'fixed',
    seed: options.seed,
    stream: options.stream,
    microBatchSize,
    signal: options.signal,
  });
  const lp = await computeLogProbs(policy, sample.batch, {
    temperature,
    microBatchSize,
    signal: options.signal,
  });
  const lpRef = await computeLogProbs(reference, sample.batch, {
    temperature,
    microBatchSize,
    signal: options.signal,
  });
  const out = new Float64Array(sample.batch.batchSize);
  for (let i = 0; i < out.length; i++) out[i] = lp.sums[i]! - lpRef.sums[i]!;
  return out;
}

/**
 * KL(π ‖ π_ref) of whole responses, estimated by sampling: the mean over prompts of {@link sampledLogRatios}.
 * Used as "KL to SFT" (`eval/kl_sft`) with `reference` = the SFT policy. Unbiased; a single draw can be negative.
 */
export async function klToReference(
  policy: Policy,
  reference: Policy,
  promptIds: readonly ArrayLike<number>[],
  options: KlOptions,
): Promise<number> {
  const ratios = await sampledLogRatios(policy, reference, promptIds, options);
  let s = 0;
  for (const r of ratios) s += r;
  return s / ratios.length;
}
