import { join } from 'node:path';
import type { StageContext } from './context';
import { stageFingerprints } from './fingerprints';

/** The data-parallel stages, by name: `pairs`, `labels`, every `weights-k` and `eval`. */
export const SHARDABLE_STAGES: readonly string[] = ['pairs', 'labels', 'weights-k', 'eval'];

/** True when stage `name` can be split into shards (see {@link SHARDABLE_STAGES}). */
export function isShardableStage(name: string): boolean {
  return name === 'pairs' || name === 'labels' || name === 'eval' || /^weights-\d+$/.test(name);
}

type ShardContext = Pick<
  StageContext,
  'config' | 'judge' | 'pairSampler' | 'pairWeighter' | 'runEvaluator' | 'datasetPairs'
>;

/**
 * Why stage `name` does not split into shards in this run, or undefined when it does: a shardable stage splits when
 * its component honours shards and gains from them — the pair sampler (not for `pairs.dataset`) and the run evaluator
 * when `shardable`, the weighter when `shardable` with `weighShard`, labels unless they come from the dataset or the
 * judge is `inexpensive`. Its shard tasks skip with this reason; shard processes are started only for stages without.
 */
export function shardsDeclined(ctx: ShardContext, name: string): string | undefined {
  if (name === 'pairs') {
    if (ctx.datasetPairs) return 'the pairs of pairs.dataset are read, not sampled';
    return ctx.pairSampler.shardable
      ? undefined
      : `the pair sampler ${ctx.pairSampler.name} is not shardable: the merge samples it whole`;
  }
  if (name === 'labels') {
    if (ctx.config.labels.source === 'dataset') return 'labels.source is dataset: nothing to score';
    return ctx.judge.inexpensive
      ? `the gold judge ${ctx.judge.name} is inexpensive: the labels stage scores whole`
      : undefined;
  }
  if (name === 'eval') {
    return ctx.runEvaluator.shardable
      ? undefined
      : `the run evaluator ${ctx.runEvaluator.name} is not shardable: the merge evaluates whole`;
  }
  if (/^weights-\d+$/.test(name)) {
    const weighter = ctx.pairWeighter;
    return weighter.shardable && weighter.weighShard
      ? undefined
      : `the pair weighter ${weighter.name} is not shardable: the merge computes it whole`;
  }
  return `stage ${name} cannot be sharded`;
}

/** Whether stage `name` splits into shards in this run (see {@link shardsDeclined}). */
export function stageTakesShards(ctx: ShardContext, name: string): boolean {
  return shardsDeclined(ctx, name) === undefined;
}

/**
 * The folder of a stage's shard files, keyed by the stage's fingerprint (`<stage>/shards/<hash>`): shards computed
 * for another config or other upstream outputs are never merged.
 */
export function stageShardDir(ctx: Pick<StageContext, 'config' | 'run'>, stage: string): string {
  const hash = stageFingerprints(ctx.config).get(stage)?.hash ?? 'unknown';
  return join(ctx.run.stagePath(stage), 'shards', hash.slice(0, 16));
}
