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
 * The folder of a stage's shard files, keyed by the stage's fingerprint (`<stage>/shards/<hash>`): shards computed
 * for another config or other upstream outputs are never merged.
 */
export function stageShardDir(ctx: Pick<StageContext, 'config' | 'run'>, stage: string): string {
  const hash = stageFingerprints(ctx.config).get(stage)?.hash ?? 'unknown';
  return join(ctx.run.stagePath(stage), 'shards', hash.slice(0, 16));
}
