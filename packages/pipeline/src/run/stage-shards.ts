import { join } from 'node:path';
import type { StageContext } from './context';
import { stageFingerprints } from './fingerprints';

/** The data-parallel stages, by name: `pairs`, `labels`, every `weights-k` and `eval`. */
export const SHARDABLE_STAGES: readonly string[] = ['pairs', 'labels', 'weights-k', 'eval'];

/** True when stage `name` can be split into shards (see {@link SHARDABLE_STAGES}). */
export function isShardableStage(name: string): boolean {
  return name === 'pairs' || name === 'labels' || name === 'eval' || /^weights-\d+$/.test(name);
}

/**
 * Whether stage `name` splits into shards in this run: a shardable stage whose component honours shards and gains from
 * them — the pair sampler and the run evaluator when `shardable`, the weighter when `shardable` with `weighShard`,
 * labels unless they come from the dataset or the judge is `inexpensive`. Shard processes are started only for these.
 */
export function stageTakesShards(
  ctx: Pick<StageContext, 'config' | 'judge' | 'pairSampler' | 'pairWeighter' | 'runEvaluator'>,
  name: string,
): boolean {
  if (name === 'pairs') return ctx.pairSampler.shardable === true;
  if (name === 'labels') return ctx.config.labels.source !== 'dataset' && ctx.judge.inexpensive !== true;
  if (name === 'eval') return ctx.runEvaluator.shardable === true;
  if (/^weights-\d+$/.test(name)) {
    return ctx.pairWeighter.shardable === true && ctx.pairWeighter.weighShard !== undefined;
  }
  return false;
}

/**
 * The folder of a stage's shard files, keyed by the stage's fingerprint (`<stage>/shards/<hash>`): shards computed
 * for another config or other upstream outputs are never merged.
 */
export function stageShardDir(ctx: Pick<StageContext, 'config' | 'run'>, stage: string): string {
  const hash = stageFingerprints(ctx.config).get(stage)?.hash ?? 'unknown';
  return join(ctx.run.stagePath(stage), 'shards', hash.slice(0, 16));
}
