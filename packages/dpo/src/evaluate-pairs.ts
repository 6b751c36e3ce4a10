import type { Policy, PreferencePair } from '@ocrm/core';
import type { DpoConfig } from './config';
import { dpoRewardMetrics, preferenceLossValue } from './metrics';
import { type PairSums, pairLogProbSums } from './pair-batches';
import { policyWpoWeights } from './policy-wpo-weights';

/** Options of {@link evaluatePreferencePairs}. */
export interface EvaluatePairsOptions {
  policy: Policy;
  pairs: readonly PreferencePair[];
  /** Reference sums of the same pairs (from {@link pairLogProbSums} on the frozen reference). */
  reference: PairSums;
  config: Pick<DpoConfig, 'beta' | 'labelSmoothing' | 'loss' | 'weighting' | 'microBatchSize'>;
  /** Metric name prefix (default `eval/`). */
  prefix?: string;
  signal?: AbortSignal;
}

/**
 * Measures a policy on held-out pairs with no gradient: the (WPO-weighted) preference loss and TRL's reward metrics
 * (`eval/loss`, `eval/rewards/accuracies`, `eval/rewards/margins`, …; `eval/wpo/weight_mean` with WPO).
 * Host numbers; every tensor is freed.
 */
export function evaluatePreferencePairs(options: EvaluatePairsOptions): Record<string, number> {
  const { policy, pairs, reference, config } = options;
  const prefix = options.prefix ?? 'eval/';
  if (pairs.length === 0) return {};
  const sums = pairLogProbSums(policy, pairs, {
    microBatchSize: config.microBatchSize,
    signal: options.signal,
  });
  const weights =
    config.weighting === 'wpo'
      ? policyWpoWeights(policy, pairs, { microBatchSize: config.microBatchSize, signal: options.signal })
      : undefined;
  let loss = 0;
  for (let i = 0; i < pairs.length; i++) {
    const h = sums.chosen[i]! - reference.chosen[i]! - (sums.rejected[i]! - reference.rejected[i]!);
    loss += (weights?.[i] ?? 1) * preferenceLossValue(h, config);
  }
  const metrics: Record<string, number> = { loss: loss / pairs.length };
  const rewards = dpoRewardMetrics(
    {
      policyChosen: sums.chosen,
      policyRejected: sums.rejected,
      refChosen: reference.chosen,
      refRejected: reference.rejected,
    },
    config.beta,
  );
  Object.assign(metrics, rewards);
  if (weights) metrics['wpo/weight_mean'] = weights.reduce((a, b) => a + b, 0) / weights.length;
  return Object.fromEntries(Object.entries(metrics).map(([key, value]) => [prefix + key, value]));
}
