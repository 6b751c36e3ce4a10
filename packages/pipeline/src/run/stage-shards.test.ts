import { describe, expect, it } from 'vitest';
import { shardsDeclined, stageTakesShards } from './stage-shards';

type Ctx = Parameters<typeof stageTakesShards>[0];

/** A context whose components are (or are not) shardable, and whose labels come from `source`. */
function ctx(
  shardable: boolean,
  options: { inexpensive?: boolean; source?: string; datasetPairs?: boolean } = {},
): Ctx {
  return {
    config: { labels: { source: options.source ?? 'judge' } },
    judge: { name: 'j', inexpensive: options.inexpensive },
    pairSampler: { name: 's', shardable },
    pairWeighter: { name: 'w', shardable, weighShard: shardable ? () => Promise.resolve(0) : undefined },
    runEvaluator: { name: 'e', shardable },
    datasetPairs: options.datasetPairs ? () => Promise.resolve({ pairs: [], stats: {} }) : undefined,
  } as unknown as Ctx;
}

describe('stageTakesShards', () => {
  it('follows each stage component: shardable pair sampler, weighter with weighShard, run evaluator', () => {
    for (const stage of ['pairs', 'weights-2', 'weights-13', 'eval']) {
      expect(stageTakesShards(ctx(true), stage), stage).toBe(true);
      expect(stageTakesShards(ctx(false), stage), stage).toBe(false);
    }
    expect(stageTakesShards(ctx(true), 'rm-1')).toBe(false);
    expect(stageTakesShards(ctx(true), 'weights')).toBe(false);
  });

  it('labels: a judge unless it is inexpensive, never dataset labels', () => {
    expect(stageTakesShards(ctx(false), 'labels')).toBe(true);
    expect(stageTakesShards(ctx(false, { inexpensive: false }), 'labels')).toBe(true);
    expect(stageTakesShards(ctx(false, { inexpensive: true }), 'labels')).toBe(false);
    expect(stageTakesShards(ctx(false, { source: 'dataset' }), 'labels')).toBe(false);
  });

  it('says why a stage does not split (what its shard tasks report when they skip)', () => {
    expect(shardsDeclined(ctx(false), 'pairs')).toBe(
      'the pair sampler s is not shardable: the merge samples it whole',
    );
    expect(shardsDeclined(ctx(true, { datasetPairs: true }), 'pairs')).toBe(
      'the pairs of pairs.dataset are read, not sampled',
    );
    expect(shardsDeclined(ctx(false, { inexpensive: true }), 'labels')).toBe(
      'the gold judge j is inexpensive: the labels stage scores whole',
    );
    expect(shardsDeclined(ctx(false, { source: 'dataset' }), 'labels')).toBe(
      'labels.source is dataset: nothing to score',
    );
    expect(shardsDeclined(ctx(false), 'eval')).toBe(
      'the run evaluator e is not shardable: the merge evaluates whole',
    );
    expect(shardsDeclined(ctx(false), 'weights-2')).toBe(
      'the pair weighter w is not shardable: the merge computes it whole',
    );
    expect(shardsDeclined(ctx(true), 'pairs')).toBeUndefined();
  });
});
