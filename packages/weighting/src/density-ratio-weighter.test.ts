import { createTinyPolicy, describePairWeighterContract, makePair } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { densityRatioWeighter, weightShardRange } from './density-ratio-weighter';
import { importanceWeighting } from './importance-weighting';
import { computeSequenceLogProbs } from './sequence-log-probs';
import { uniformWeighting } from './uniform-weighting';

describePairWeighterContract('densityRatioWeighter (fixed λ 0.5)', () =>
  densityRatioWeighter({ ratioExponent: 0.5 }),
);
describePairWeighterContract('densityRatioWeighter (target ESS/N 0.6)', () =>
  densityRatioWeighter({ ratioExponent: null, targetEss: 0.6 }),
);
describePairWeighterContract('densityRatioWeighter (uniform strategy)', () =>
  densityRatioWeighter({ strategy: uniformWeighting() }),
);

const frozenTiny = (seed: number) => async () => {
  const trainable = createTinyPolicy({ seed, vocabSize: 12, hidden: 8, maxLength: 16 });
  const frozen = trainable.freeze();
  trainable.dispose();
  return frozen;
};

describe('densityRatioWeighter', () => {
  const pairs = [
    makePair('a', [3, 4], [5, 6, 1], [7, 1], { logpSamplerChosen: -5, logpSamplerRejected: -4 }),
    makePair('b', [4], [8, 1], [9, 10, 11, 1], { logpSamplerChosen: -3, logpSamplerRejected: -9 }),
    makePair('c', [3, 3, 4], [2, 1], [6, 6, 1], { logpSamplerChosen: -2, logpSamplerRejected: -6 }),
  ];
  const temperatures = { policy: 0.7, sampler: 1.3 };

  /** The sums computed here (π_{k−1} at 0.7, π_SFT at 1.3) and importance weighting at λ on them. */
  const exactWeights = async (ratioExponent: number) => {
    const policy = await frozenTiny(1)();
    const sampler = await frozenTiny(2)();
    const p = await computeSequenceLogProbs(policy, pairs, { temperature: 0.7 });
    const s = await computeSequenceLogProbs(sampler, pairs, { temperature: 1.3 });
    policy.dispose();
    sampler.dispose();
    const expected = importanceWeighting({ ratioExponent, alpha: 0 }).weigh({
      logpPolicyChosen: p.chosen,
      logpPolicyRejected: p.rejected,
      logpSamplerChosen: s.chosen,
      logpSamplerRejected: s.rejected,
    });
    return { p, s, expected };
  };

  it('is the strategy on exact sums: π_{k−1} at the rollout temperature, π_SFT at the pairs’ temperature', async () => {
    const result = await densityRatioWeighter({ ratioExponent: 0.5 }).weighPairs({
      pairs,
      round: 2,
      policy: frozenTiny(1),
      sampler: frozenTiny(2),
      temperatures,
      stage: 'weights-2',
    });
    const { p, s, expected } = await exactWeights(0.5);
    expect(result.logWeights).toEqual(expected.logWeights);
    // Mean over the 6 responses of log π − log π_SFT; drift: mean |fresh − recorded| of the sampler sums.
    let ratio = 0;
    let drift = 0;
    pairs.forEach((pair, i) => {
      ratio += p.chosen[i]! - s.chosen[i]! + p.rejected[i]! - s.rejected[i]!;
      drift +=
        Math.abs(s.chosen[i]! - pair.logpSamplerChosen!) +
        Math.abs(s.rejected[i]! - pair.logpSamplerRejected!);
    });
    expect(result.metrics['weights/mean_log_ratio']).toBeCloseTo(ratio / 6, 12);
    expect(result.metrics['weights/sampler_drift']).toBeCloseTo(drift / 6, 12);
    expect(result.metrics['weights/ratio_exponent']).toBe(0.5);
    expect(result.details).toMatchObject({ temperatures, ratioExponent: 0.5 });
  });

  it('at a fixed λ = 0 loads neither policy: the weights and diagnostics of the density pass, without it', async () => {
    let loads = 0;
    const counted = (seed: number) => () => {
      loads++;
      return frozenTiny(seed)();
    };
    const run = {
      pairs,
      round: 2,
      policy: counted(1),
      sampler: counted(2),
      temperatures,
      stage: 'weights-2',
    };
    const result = await densityRatioWeighter({ ratioExponent: 0 }).weighPairs(run);
    expect(loads).toBe(0);
    const { expected } = await exactWeights(0);
    // As written to weights.jsonl (JSON has no −0): every log-weight 0, and the same diagnostics.
    expect(JSON.stringify(Array.from(result.logWeights))).toBe(
      JSON.stringify(Array.from(expected.logWeights)),
    );
    expect(Array.from(result.logWeights, (w) => w + 0)).toEqual([0, 0, 0]);
    expect(result.diagnostics).toEqual(expected.diagnostics);
    expect(result.metrics).toEqual({ 'weights/ratio_exponent': 0 });
    expect(result.details).toMatchObject({ meanLogRatio: null, samplerDrift: null, ratioExponent: 0 });
    // Its shards load nothing either, and merge to the same weights.
    const weighter = densityRatioWeighter({ ratioExponent: 0 });
    const shard = await weighter.weighShard!(run, { index: 0, count: 1 });
    expect(loads).toBe(0);
    const merged = await weighter.weighPairs({ ...run, shardResults: [shard] });
    expect(merged.logWeights).toEqual(result.logWeights);
    // A λ above 0, or a target ESS, still computes both densities.
    await densityRatioWeighter({ ratioExponent: 1e-9 }).weighPairs(run);
    expect(loads).toBe(2);
  });

  it('reads π_SFT’s sums from the run memo instead of loading π_SFT again', async () => {
    const stored = new Map<string, unknown>();
    let samplerLoads = 0;
    const run = {
      pairs,
      round: 2,
      policy: frozenTiny(1),
      sampler: () => {
        samplerLoads++;
        return frozenTiny(2)();
      },
      temperatures,
      stage: 'weights-2',
      memo: async <T>(name: string, key: string, compute: () => Promise<T>): Promise<T> => {
        const id = `${name}/${key}`;
        if (!stored.has(id)) stored.set(id, JSON.parse(JSON.stringify(await compute())));
        return stored.get(id) as T;
      },
    };
    const weighter = densityRatioWeighter({ ratioExponent: 1 });
    const first = await weighter.weighPairs(run);
    const second = await weighter.weighPairs(run);
    expect(samplerLoads).toBe(1);
    expect([...stored.keys()]).toEqual(['sft-log-probs/T=1.3']);
    expect(second.logWeights).toEqual(first.logWeights);
  });
});

describe('densityRatioWeighter in shards', () => {
  it('weightShardRange: contiguous blocks of 8 pairs (one forward of 16 rows) covering every pair once', () => {
    // 41 pairs = 6 blocks (5 of 8 and one of 1): two blocks a shard.
    expect([0, 1, 2].map((index) => weightShardRange(41, { index, count: 3 }))).toEqual([
      [0, 16],
      [16, 32],
      [32, 41],
    ]);
    expect([0, 1, 2, 3].map((index) => weightShardRange(41, { index, count: 4 }))).toEqual([
      [0, 8],
      [8, 24],
      [24, 32],
      [32, 41],
    ]);
    expect(weightShardRange(5, { index: 1, count: 2 })).toEqual([0, 5]);
    expect(() => weightShardRange(5, { index: -1, count: 2 })).toThrow(/shard -1\/2/);
  });

  it('41 pairs in 3 and 6 shards give the unsharded weights and metrics to the bit (adaptive λ)', async () => {
    const pairs = Array.from({ length: 41 }, (_, i) =>
      makePair(`p${i}`, [3 + (i % 4), 4], [5 + (i % 5), 6, 1].slice(i % 2), [7 + (i % 3), 1], {
        logpSamplerChosen: -5,
        logpSamplerRejected: -4,
      }),
    );
    const weighter = densityRatioWeighter({ ratioExponent: null, targetEss: 0.5 });
    const run = {
      pairs,
      round: 2,
      policy: frozenTiny(1),
      sampler: frozenTiny(2),
      temperatures: { policy: 0.7, sampler: 1 },
      stage: 'weights-2',
    };
    const whole = await weighter.weighPairs(run);
    expect(weighter.shardable).toBe(true);
    for (const count of [3, 6]) {
      const shardResults = [];
      for (let index = 0; index < count; index++)
        shardResults.push(JSON.parse(JSON.stringify(await weighter.weighShard!(run, { index, count }))));
      // The shards computed π_SFT's sums too: the merge loads no policy at all.
      let loads = 0;
      const merged = await weighter.weighPairs({
        ...run,
        shardResults,
        policy: () => {
          loads++;
          return run.policy();
        },
        sampler: () => {
          loads++;
          return run.sampler();
        },
      });
      expect(loads).toBe(0);
      expect(merged.logWeights).toEqual(whole.logWeights);
      expect(merged.metrics).toEqual(whole.metrics);
    }
    // Shards out of order (or missing) are refused, not merged.
    const a = await weighter.weighShard!(run, { index: 0, count: 2 });
    const b = await weighter.weighShard!(run, { index: 1, count: 2 });
    await expect(weighter.weighPairs({ ...run, shardResults: [b, a] })).rejects.toThrow(
      /do not cover the 41 pairs/,
    );
    await expect(weighter.weighPairs({ ...run, shardResults: [a] })).rejects.toThrow(/cover 24 of 41 pairs/);
    // Per-token weights (truncateTokens) are not shardable.
    expect(densityRatioWeighter({ ratioExponent: 0.5, truncateTokens: 2 }).shardable).toBe(false);
  });
});
