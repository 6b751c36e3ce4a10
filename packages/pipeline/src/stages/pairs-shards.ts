import { join } from 'node:path';
import { InvalidArgumentError, type PreferencePair, type StageShard } from '@ocrm/core';
import type { StageContext } from '../run/context';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { stageShardDir } from '../run/stage-shards';
import { loadPolicy } from './models';
import { seedFor } from './seeds';

/**
 * The folder of the `pairs` stage's shard files, keyed by the stage's fingerprint (`pairs/shards/<hash>`): shards
 * written for another config or SFT model are never merged.
 */
export function pairsShardDir(ctx: Pick<StageContext, 'config' | 'run'>): string {
  return stageShardDir(ctx, 'pairs');
}

/** The file of one shard: `<index>-of-<count>.jsonl`. */
export function pairsShardFile(dir: string, shard: StageShard): string {
  return join(dir, `${shard.index}-of-${shard.count}.jsonl`);
}

/** The prompts the pairs stage samples (the task's training prompts, at most `pairs.maxPrompts`). */
export function pairsPrompts(ctx: Pick<StageContext, 'config' | 'task'>) {
  const { config, task } = ctx;
  return config.pairs.maxPrompts === null
    ? task.trainPrompts
    : task.trainPrompts.slice(0, config.pairs.maxPrompts);
}

/**
 * Samples shard `shard` of the pairs from the SFT policy through the context's `PairSampler` (which must declare
 * `shardable`), reporting progress as the stage's steps.
 * @throws InvalidArgumentError when the sampler cannot shard or the pairs come from a dataset.
 */
export async function samplePairsShard(
  ctx: StageContext,
  stage: string,
  shard?: StageShard,
): Promise<PreferencePair[]> {
  const { config, task, run } = ctx;
  if (shard && shard.count > 1) {
    if (ctx.datasetPairs)
      throw new InvalidArgumentError('the pairs of pairs.dataset are read, not sampled: drop the shards.');
    if (!ctx.pairSampler.shardable)
      throw new InvalidArgumentError(
        `the pair sampler ${ctx.pairSampler.name} does not declare \`shardable\`: run the pairs stage unsharded.`,
      );
  }
  const sft = await loadPolicy(runPaths(run).sftModel, task, true);
  try {
    const prompts = pairsPrompts(ctx);
    ctx.emit({
      type: 'run-start',
      stage,
      totalSteps: prompts.length * config.pairs.passes,
      time: Date.now(),
    });
    return await ctx.pairSampler.sample({
      policy: sft,
      prompts,
      tokenizer: task.tokenizer,
      maxNewTokens: task.maxResponseTokens,
      seed: seedFor(config.seed, 'pairs'),
      signal: ctx.signal,
      shard: shard && shard.count > 1 ? shard : undefined,
      onProgress: (done, total) =>
        ctx.emit({ type: 'step-end', stage, step: done, totalSteps: total, metrics: {}, time: Date.now() }),
    });
  } finally {
    sft.dispose();
  }
}

/** A shard file written before (by another process or array task), or undefined when it is missing or unreadable. */
export async function readPairsShard(file: string): Promise<PreferencePair[] | undefined> {
  try {
    return await readPairs(file);
  } catch {
    return undefined;
  }
}
