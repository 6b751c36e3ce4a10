import { InvalidArgumentError, type Policy, type PreferencePair, type WeightingStrategy } from '@ocrm/core';
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
  /**
   * Temperature of the behaviour density π_SFT,T(y|x) (the denominator): the temperature the pairs were sampled at.
   * Default: the pairs' recorded `samplerTemperature` (pairs from `samplePairs` have it); required when they do not
   * record one. The official scripts sample pairs at 1.0.
   */
  samplerTemperature?: number;
  /**
   * Temperature of the target density π_T(y|x) (the numerator): the temperature the policy samples with, e.g. PPO's
   * rollout temperature (0.7 in the paper's PPO; the official `get_density_ratios.py` uses the pairs' 1.0 for both,
   * which targets the untempered policy). Default: `samplerTemperature`.
   */
  policyTemperature?: number;
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
  /** The temperatures used: numerator (policy) and denominator (sampler). */
  temperatures: { policy: number; sampler: number };
}

/**
 * The temperature all `pairs` record (`samplerTemperature`), or undefined when none does.
 * @throws InvalidArgumentError when pairs record different temperatures, or some do and some do not.
 */
export function recordedSamplerTemperature(pairs: readonly PreferencePair[]): number | undefined {
  const first = pairs[0]?.samplerTemperature;
  for (const pair of pairs) {
    if (pair.samplerTemperature !== first) {
      throw new InvalidArgumentError(
        `pairs were sampled at different temperatures (${first} and ${pair.samplerTemperature}, pair ${pair.id}).`,
        { hint: 'weigh each temperature group separately: the behaviour density differs between them.' },
      );
    }
  }
  return first;
}

/**
 * The whole OCRM step for one round: summed log-probs of every pair under the policy (at `policyTemperature`) and the
 * sampler (at `samplerTemperature`; the same function for both), the sampler drift against the sums recorded at sampling, and the strategy's log-weights with
 * their diagnostics. Leaves no tensors behind.
 */
export async function weighPairs(options: WeighPairsOptions): Promise<WeighPairsResult> {
  const { policy, sampler, pairs, strategy, microBatchSize, signal } = options;
  const truncate = (strategy as { config?: { truncateTokens?: number } }).config?.truncateTokens;
  const keepPerToken = options.keepPerToken ?? truncate !== undefined;
  const samplerTemperature = options.samplerTemperature ?? recordedSamplerTemperature(pairs);
  if (samplerTemperature === undefined) {
    throw new InvalidArgumentError(
      'weighPairs: the pairs record no samplerTemperature; pass samplerTemperature.',
      {
        hint: 'the behaviour density is the sampler at the temperature the pairs were sampled with (official: 1.0).',
      },
    );
  }
  const policyTemperature = options.policyTemperature ?? samplerTemperature;
  const policyLogProbs = await computeSequenceLogProbs(policy, pairs, {
    temperature: policyTemperature,
    microBatchSize,
    keepPerToken,
    signal,
  });
  const samplerLogProbs = await computeSequenceLogProbs(sampler, pairs, {
    temperature: samplerTemperature,
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
    temperatures: { policy: policyTemperature, sampler: samplerTemperature },
  };
}
