import {
  buildTokenBatch,
  computeLogProbs,
  InvalidArgumentError,
  type Policy,
  type PreferencePair,
  ShapeError,
  throughFirstEos,
  throwIfAborted,
  type WeightingInput,
} from '@ocrm/core';

/** Options of {@link computeSequenceLogProbs}. */
export interface SequenceLogProbOptions {
  /** Temperature of the log-probs (default 1: the pairs were sampled at 1 by pure temperature sampling). */
  temperature?: number;
  /** Rows (responses) per forward pass; each pair is two rows. Default 16. */
  microBatchSize?: number;
  /** Also return every response's per-token log-probs (needed by `truncateTokens`). Default false. */
  keepPerToken?: boolean;
  signal?: AbortSignal;
}

/** Summed response log-probs of labelled pairs under one policy, float64, in the pairs' order. Host arrays. */
export interface SequenceLogProbs {
  /** `[N]` Σ_t log π(chosen_t | prompt, chosen_<t) through the first EOS. */
  chosen: Float64Array;
  /** `[N]` the same for the rejected responses. */
  rejected: Float64Array;
  /** Per-token log-probs (one array per response, its length = the response's tokens through the first EOS). */
  perToken?: { chosen: Float32Array[]; rejected: Float32Array[] };
}

/**
 * Summed log-probs of each pair's chosen and rejected response under `policy`, through `policy.logProbs` (one full
 * forward per micro-batch, no gradient), summing response tokens up to and including the first EOS. Call it with the
 * current policy AND the SFT policy (same function, so their difference has no systematic bias).
 *
 * Rows are packed pair by pair (chosen, rejected) so each micro-batch pads only to its own longest sequence.
 * Leaves no tensors behind.
 */
export async function computeSequenceLogProbs(
  policy: Policy,
  pairs: readonly PreferencePair[],
  options: SequenceLogProbOptions = {},
): Promise<SequenceLogProbs> {
  const temperature = options.temperature ?? 1;
  const microBatchSize = options.microBatchSize ?? 16;
  if (!(temperature > 0)) throw new InvalidArgumentError(`temperature must be > 0, got ${temperature}`);
  if (!Number.isInteger(microBatchSize) || microBatchSize < 1) {
    throw new InvalidArgumentError(`microBatchSize must be a positive integer, got ${microBatchSize}`);
  }
  const n = pairs.length;
  const rows = 2 * n; // row 2i = chosen of pair i, row 2i + 1 = rejected
  const sums = new Float64Array(rows);
  const perToken: Float32Array[] | undefined = options.keepPerToken ? new Array(rows) : undefined;
  for (let start = 0; start < rows; start += microBatchSize) {
    throwIfAborted(options.signal);
    const end = Math.min(rows, start + microBatchSize);
    const prompts: number[][] = [];
    const responses: number[][] = [];
    for (let r = start; r < end; r++) {
      const pair = pairs[r >> 1]!;
      prompts.push(pair.promptIds);
      responses.push(throughFirstEos(r % 2 === 0 ? pair.chosenIds : pair.rejectedIds, policy.eosId));
    }
    const batch = buildTokenBatch({ prompts, responses, padId: policy.padId });
    const result = await computeLogProbs(policy, batch, {
      temperature,
      microBatchSize: end - start,
      signal: options.signal,
    });
    const tResp = batch.seqLength - batch.promptLength;
    if (result.tokenLogProbs.length !== (end - start) * tResp) {
      throw new ShapeError(
        `computeLogProbs returned ${result.tokenLogProbs.length} values, expected ${(end - start) * tResp}`,
      );
    }
    for (let r = start; r < end; r++) {
      const local = r - start;
      const length = responses[local]!.length;
      const row = result.tokenLogProbs.subarray(local * tResp, local * tResp + length);
      let sum = 0;
      for (let t = 0; t < length; t++) sum += row[t]!;
      sums[r] = sum;
      if (perToken) perToken[r] = row.slice();
    }
  }
  const chosen = new Float64Array(n);
  const rejected = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    chosen[i] = sums[2 * i]!;
    rejected[i] = sums[2 * i + 1]!;
  }
  const out: SequenceLogProbs = { chosen, rejected };
  if (perToken) {
    out.perToken = {
      chosen: perToken.filter((_, r) => r % 2 === 0),
      rejected: perToken.filter((_, r) => r % 2 === 1),
    };
  }
  return out;
}

/** The summed log-probs recorded at sampling time (`logpSamplerChosen`/`Rejected`); throws when a pair lacks them. */
export function recordedSamplerLogProbs(pairs: readonly PreferencePair[]): SequenceLogProbs {
  const chosen = new Float64Array(pairs.length);
  const rejected = new Float64Array(pairs.length);
  pairs.forEach((pair, i) => {
    if (pair.logpSamplerChosen === undefined || pair.logpSamplerRejected === undefined) {
      throw new InvalidArgumentError(`pair ${pair.id} has no recorded sampler log-probs`, {
        hint: 'pairs sampled by @ocrm/data record them; recompute them with computeSequenceLogProbs(sft, pairs)',
      });
    }
    chosen[i] = pair.logpSamplerChosen;
    rejected[i] = pair.logpSamplerRejected;
  });
  return { chosen, rejected };
}

/**
 * Mean absolute difference between fresh SFT sums and those recorded at sampling, over all responses (chosen and
 * rejected). Large values mean the sampler and the scoring forward disagree (different weights, temperature or
 * kernels) and the importance weights would carry that bias.
 */
export function samplerDrift(fresh: SequenceLogProbs, recorded: SequenceLogProbs): number {
  const n = fresh.chosen.length;
  if (recorded.chosen.length !== n || fresh.rejected.length !== n || recorded.rejected.length !== n) {
    throw new ShapeError(`samplerDrift: fresh has ${n} pairs, recorded ${recorded.chosen.length}`);
  }
  if (n === 0) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    total +=
      Math.abs(fresh.chosen[i]! - recorded.chosen[i]!) + Math.abs(fresh.rejected[i]! - recorded.rejected[i]!);
  }
  return total / (2 * n);
}

/**
 * The {@link WeightingInput} of a strategy from the policy's and the sampler's sums (and per-token values when both
 * have them).
 */
export function weightingInput(policy: SequenceLogProbs, sampler: SequenceLogProbs): WeightingInput {
  const input: WeightingInput = {
    logpPolicyChosen: policy.chosen,
    logpPolicyRejected: policy.rejected,
    logpSamplerChosen: sampler.chosen,
    logpSamplerRejected: sampler.rejected,
  };
  if (policy.perToken && sampler.perToken) {
    input.perToken = {
      policyChosen: policy.perToken.chosen,
      policyRejected: policy.perToken.rejected,
      samplerChosen: sampler.perToken.chosen,
      samplerRejected: sampler.perToken.rejected,
    };
  }
  return input;
}
