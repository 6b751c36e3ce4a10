import { describe, expect, it } from 'vitest';
import { stageTakesShards } from './stage-shards';

type Ctx = Parameters<typeof stageTakesShards>[0];

/** A context whose components are (or are not) shardable, and whose labels come from `source`. */
function ctx(shardable: boolean, options: { inexpensive?: boolean; source?: string } = {}): Ctx {
  return {
    config: { labels: { source: options.source ?? 'judge' } },
    judge: { inexpensive: options.inexpensive },
    pairSampler: { shardable },
    pairWeighter: { shardable, weighShard: shardable ? () => Promise.resolve(0) : undefined },
    runEvaluator: { shardable },
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
});
