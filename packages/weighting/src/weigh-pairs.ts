import type { Policy, PreferencePair, WeightingStrategy } from '@ocrm/core';
import {
  computeSequenceLogProbs,
  recordedSamplerLogProbs,
  type SequenceLogProbs,
  samplerDrift,
  weightingInput,
} from './sequence-log-probs';
import type { DetailedWeightDiagnostics } from './weight-diagnostics';
import { weightDiagnostics } from './weight-diagnostics';

/** Options of {@link weighPairs}. */
export interface WeighPairsOptions {
  /** The current policy (π). */
  policy: Policy;
  /** The distribution the pairs were sampled from (SFT; never the PPO KL reference). */
  sampler: Policy;
  pairs: readonly PreferencePair[];
  strategy: WeightingStrategy;
  /** Rows per forward pass (default 16). */
  microBatchSize?: number;
  /** Keep per-token log-probs (default: true when the strategy has `config.truncateTokens`). */
  keepPerToken?: boolean;
  signal?: AbortSignal;
}

/** Output of {@link weighPairs}. Host arrays. */
export interface WeighPairsResult {
  /** `[N]` log-weights in the pairs' order. */
  logWeights: Float64Array;
  diagnostics: DetailedWeightDiagnostics;
  /** Mean |fresh sampler sum − sum recorded at sampling| in nats; absent when some pair has no recorded sums. */
  samplerDrift?: number;
  policyLogProbs: SequenceLogProbs;
  samplerLogProbs: SequenceLogProbs;
}

/**
 * The whole OCRM step for one round: summed log-probs of every pair under the policy and the sampler (the same
 * function for both), the sampler drift against the sums recorded at sampling, and the strategy's log-weights with
 * their diagnostics. Leaves no tensors behind.
 */
export async function weighPairs(options: WeighPairsOptions): Promise<WeighPairsResult> {
  const { policy, sampler, pairs, strategy, microBatchSize, signal } = options;
  const truncate = (strategy as { config?: { truncateTokens?: number } }).config?.truncateTokens;
  const keepPerToken = options.keepPerToken ?? truncate !== undefined;
  const policyLogProbs = await computeSequenceLogProbs(policy, pairs, {
    microBatchSize,
    keepPerToken,
    signal,
  });
  const samplerLogProbs = await computeSequenceLogProbs(sampler, pairs, {
    microBatchSize,
    keepPerToken,
    signal,
  });
  const recorded = pairs.every(
    (p) => p.logpSamplerChosen !== undefined && p.logpSamplerRejected !== undefined,
  );
  const result = strategy.weigh(weightingInput(policyLogProbs, samplerLogProbs));
  const diagnostics =
    'logMean' in result.diagnostics
      ? (result.diagnostics as DetailedWeightDiagnostics)
      : { ...weightDiagnostics(result.logWeights), warnings: result.diagnostics.warnings };
  return {
    logWeights: result.logWeights,
    diagnostics,
    samplerDrift: recorded ? samplerDrift(samplerLogProbs, recordedSamplerLogProbs(pairs)) : undefined,
    policyLogProbs,
    samplerLogProbs,
  };
}
