import { join } from 'node:path';
import { type GoldJudge, type PreferencePair, readJson, type StageShard } from '@ocrm/core';
import { judgePairs, shardUnits } from '@ocrm/data';
import type { StageContext } from '../run/context';
import { stageShardDir } from '../run/stage-shards';

/** The folder of the `labels` stage's score shards, keyed by its fingerprint (`labels/shards/<hash>`). */
export function labelsShardDir(ctx: Pick<StageContext, 'config' | 'run'>): string {
  return stageShardDir(ctx, 'labels');
}

/** The file of one shard's scores: `<index>-of-<count>.json`. */
export function labelsShardFile(dir: string, shard: StageShard): string {
  return join(dir, `${shard.index}-of-${shard.count}.json`);
}

/**
 * The pairs `[start, end)` of shard `shard`: contiguous blocks of whole judge batches (a judge declaring `batchSize`
 * B scores responses 2·start… in the same batches as unsharded when 2·start is a multiple of B).
 */
export function labelsShardRange(pairs: number, judge: GoldJudge, shard: StageShard): [number, number] {
  const B = judge.batchSize ?? 1;
  const block = B % 2 === 0 ? B / 2 : B;
  const [first, last] = shardUnits(Math.ceil(pairs / block), shard);
  return [Math.min(pairs, first * block), Math.min(pairs, last * block)];
}

/** The gold scores `[2·n]` of shard `shard` of `pairs` (see `judgePairs`). */
export function judgeShard(
  ctx: Pick<StageContext, 'judge' | 'task'>,
  pairs: readonly PreferencePair[],
  shard: StageShard,
): Promise<number[]> {
  const [start, end] = labelsShardRange(pairs.length, ctx.judge, shard);
  return judgePairs(pairs.slice(start, end), ctx.judge, ctx.task.tokenizer.eosId);
}

/** A score shard written before, or undefined when missing or unreadable. */
export async function readScoresShard(file: string): Promise<number[] | undefined> {
  try {
    const scores = await readJson<unknown>(file);
    return Array.isArray(scores) && scores.every((x) => typeof x === 'number') ? scores : undefined;
  } catch {
    return undefined;
  }
}
