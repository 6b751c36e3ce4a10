import {
  type GoldJudge,
  InvalidArgumentError,
  type Policy,
  type PreferencePair,
  type PromptExample,
  pairTokenBatch,
  type RewardModel,
  throwIfAborted,
} from '@ocrm/core';
import { scoreBatch } from './batch-utils';
import { spearman } from './stats';

/** Agreement of a reward model with gold labels. */
export interface RewardModelAccuracy {
  /** Pairs counted (gold ties excluded). */
  n: number;
  /** Pairs left out because the gold scores tie. */
  ties: number;
  /** Fraction of counted pairs where the RM orders the responses as gold does (an RM tie counts as wrong). */
  accuracy: number;
  /** Spearman rank correlation of RM score differences with gold differences over counted pairs (NaN if undefined). */
  spearman: number;
  /** Mean RM margin `r(chosen) - r(rejected)` over counted pairs. */
  meanMargin: number;
}

/** Options of {@link rewardModelAccuracy}. */
export interface RewardModelAccuracyOptions {
  /** Id written at padded positions (default 0; models never embed it). */
  padId?: number;
  /** Rows per forward pass (default 16; each pair is two rows). */
  microBatchSize?: number;
  signal?: AbortSignal;
}

/**
 * Accuracy of `rm` on gold-labelled pairs (ties excluded) and the Spearman correlation of its score differences with
 * the gold differences. Pairs need `goldChosen` and `goldRejected`. No tensor is left behind.
 */
export async function rewardModelAccuracy(
  rm: RewardModel,
  labelledPairs: readonly PreferencePair[],
  options: RewardModelAccuracyOptions = {},
): Promise<RewardModelAccuracy> {
  const microBatchSize = options.microBatchSize ?? 16;
  const goldDiff: number[] = [];
  const kept: PreferencePair[] = [];
  let ties = 0;
  for (const pair of labelledPairs) {
    if (pair.goldChosen === undefined || pair.goldRejected === undefined) {
      throw new InvalidArgumentError(`pair ${pair.id} has no gold scores`, { hint: 'label the pairs first' });
    }
    const diff = pair.goldChosen - pair.goldRejected;
    if (pair.tie || diff === 0) ties++;
    else {
      kept.push(pair);
      goldDiff.push(diff);
    }
  }
  const rmDiff: number[] = [];
  const pairsPerChunk = Math.max(1, Math.floor(microBatchSize / 2));
  for (let start = 0; start < kept.length; start += pairsPerChunk) {
    throwIfAborted(options.signal);
    const chunk = kept.slice(start, start + pairsPerChunk);
    const batch = pairTokenBatch(chunk, { padId: options.padId ?? 0 }); // chosen rows, then rejected rows
    const scores = await scoreBatch(rm, batch, batch.batchSize, options.signal);
    const m = chunk.length;
    for (let i = 0; i < m; i++) rmDiff.push(scores[i]! - scores[m + i]!);
  }
  let correct = 0;
  let margin = 0;
  for (let i = 0; i < kept.length; i++) {
    if (Math.sign(rmDiff[i]!) === Math.sign(goldDiff[i]!)) correct++;
    margin += rmDiff[i]! * Math.sign(goldDiff[i]!);
  }
  const n = kept.length;
  return {
    n,
    ties,
    accuracy: n === 0 ? Number.NaN : correct / n,
    spearman: spearman(rmDiff, goldDiff),
    meanMargin: n === 0 ? Number.NaN : margin / n,
  };
}

/** Draws unlabelled pairs from a policy (the pipeline passes an adapter over `@ocrm/data`'s `samplePairs`). */
export type SamplePairsFn = (
  policy: Policy,
  prompts: readonly PromptExample[],
  options: { temperature: number; maxNewTokens: number; seed: number; signal?: AbortSignal },
) => Promise<PreferencePair[]>;

/** Labels pairs with a gold judge (the pipeline passes an adapter over `@ocrm/data`'s `labelPairs`). */
export type LabelPairsFn = (pairs: PreferencePair[], judge: GoldJudge) => Promise<PreferencePair[]>;

/** Options of {@link onPolicyRewardModelAccuracy}. */
export interface OnPolicyAccuracyOptions extends RewardModelAccuracyOptions {
  /** The policy the RM is used with (pairs are drawn from it). */
  policy: Policy;
  rm: RewardModel;
  prompts: readonly PromptExample[];
  samplePairs: SamplePairsFn;
  labelPairs: LabelPairsFn;
  judge: GoldJudge;
  /** Rollout temperature (default 0.7). */
  temperature?: number;
  maxNewTokens: number;
  seed: number;
}

/**
 * On-policy RM accuracy, the quantity OCRM exists to improve: samples fresh pairs from `policy` at the rollout
 * temperature, labels them with the gold judge and reports {@link rewardModelAccuracy} of `rm` on them. The sampling
 * and labelling functions are injected (stage packages never import each other); `padId` defaults to the policy's.
 */
export async function onPolicyRewardModelAccuracy(
  options: OnPolicyAccuracyOptions,
): Promise<RewardModelAccuracy> {
  const { policy, rm, prompts, judge, signal } = options;
  const pairs = await options.samplePairs(policy, prompts, {
    temperature: options.temperature ?? 0.7,
    maxNewTokens: options.maxNewTokens,
    seed: options.seed,
    signal,
  });
  throwIfAborted(signal);
  const labelled = await options.labelPairs(pairs, judge);
  return rewardModelAccuracy(rm, labelled, {
    padId: options.padId ?? policy.padId,
    microBatchSize: options.microBatchSize,
    signal,
  });
}
