import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTokenBatch } from '@ocrm/core';
import { createTinyPolicy, expectNoLeak, MockPolicy, makePair } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { importanceWeighting } from './importance-weighting';
import {
  computeSequenceLogProbs,
  recordedSamplerLogProbs,
  samplerDrift,
  weightingInput,
} from './sequence-log-probs';
import { weighPairs } from './weigh-pairs';
import { applyLogWeights, readWeightsJsonl, writeWeightsJsonl } from './write-weights';

// EOS = 1. Pair c's chosen has tokens after its EOS: they must not count.
const pairs = [
  makePair('a', [2, 3], [2, 3, 1], [3, 1]),
  makePair('b', [3], [1], [2, 2, 2, 2]),
  makePair('c', [2, 2, 2], [3, 1, 2, 2], [2, 1]),
];

// Position-only distributions: log-probs known in closed form.
const mock = new MockPolicy({
  vocabSize: 4,
  distributions: [
    [0.1, 0.2, 0.3, 0.4],
    [0.25, 0.25, 0.25, 0.25],
    [0.1, 0.6, 0.2, 0.1],
  ],
});
const L = (p: number) => Math.log(p);

describe('computeSequenceLogProbs', () => {
  it('sums response log-probs through the first EOS (hand-computed), the same for every micro-batch size', async () => {
    const expected = {
      chosen: [L(0.3) + L(0.25) + L(0.6), L(0.2), L(0.4) + L(0.25)],
      rejected: [L(0.4) + L(0.25), L(0.3) + L(0.25) + L(0.2) + L(0.2), L(0.3) + L(0.25)],
    };
    for (const microBatchSize of [1, 4, 6]) {
      const out = await computeSequenceLogProbs(mock, pairs, { microBatchSize, keepPerToken: true });
      for (let i = 0; i < 3; i++) {
        expect(out.chosen[i]).toBeCloseTo(expected.chosen[i]!, 6);
        expect(out.rejected[i]).toBeCloseTo(expected.rejected[i]!, 6);
      }
      expect(out.perToken!.chosen.map((r) => r.length)).toEqual([3, 1, 2]);
      expect(out.perToken!.rejected[0]![0]).toBeCloseTo(L(0.4), 6);
    }
  });

  it('matches one unchunked policy.logProbs pass on a tiny real policy, and leaks nothing', async () => {
    const policy = createTinyPolicy({ vocabSize: 8, seed: 4 });
    try {
      const out = await expectNoLeak(() => computeSequenceLogProbs(policy, pairs, { microBatchSize: 2 }));
      const batch = buildTokenBatch({
        prompts: pairs.map((p) => p.promptIds),
        responses: [[2, 3, 1], [1], [3, 1]],
        padId: 0,
      });
      const direct = tf.tidy(
        () => policy.logProbs(batch, { temperature: 1 }).logProbs.sum(1).arraySync() as number[],
      );
      for (let i = 0; i < 3; i++) expect(out.chosen[i]).toBeCloseTo(direct[i]!, 4);
      expect(Array.from(out.rejected).every((x) => x < 0)).toBe(true);
    } finally {
      policy.dispose();
    }
  });

  it('feeds a strategy through weightingInput, with per-token values for truncation', async () => {
    const policyLp = await computeSequenceLogProbs(mock, pairs, { keepPerToken: true });
    const samplerLp = await computeSequenceLogProbs(mock.clone(), pairs, { keepPerToken: true });
    const input = weightingInput(policyLp, samplerLp);
    const { logWeights } = importanceWeighting({ ratioExponent: 1, alpha: 0, truncateTokens: 1 }).weigh(
      input,
    );
    expect(Array.from(logWeights)).toEqual([0, 0, 0]);
  });
});

describe('samplerDrift and the weights file', () => {
  it('is the mean absolute difference over all responses', () => {
    const fresh = { chosen: Float64Array.from([-10, -20]), rejected: Float64Array.from([-5, -6]) };
    const recorded = recordedSamplerLogProbs([
      { ...pairs[0]!, logpSamplerChosen: -10.5, logpSamplerRejected: -5 },
      { ...pairs[1]!, logpSamplerChosen: -19, logpSamplerRejected: -6.25 },
    ]);
    expect(samplerDrift(fresh, recorded)).toBeCloseTo((0.5 + 0 + 1 + 0.25) / 4, 12);
    expect(() => recordedSamplerLogProbs([pairs[0]!])).toThrow(/recorded sampler/);
  });

  it('writes { id, logWeight } lines in the pairs order and reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-weights-'));
    try {
      const path = join(dir, 'weights.jsonl');
      await writeWeightsJsonl(path, pairs, [0, -1.5, 2]);
      expect(await readFile(path, 'utf8')).toBe(
        '{"id":"a","logWeight":0}\n{"id":"b","logWeight":-1.5}\n{"id":"c","logWeight":2}\n',
      );
      expect(await readWeightsJsonl(path)).toEqual([
        { id: 'a', logWeight: 0 },
        { id: 'b', logWeight: -1.5 },
        { id: 'c', logWeight: 2 },
      ]);
      await expect(writeWeightsJsonl(path, pairs, [0, Number.NaN, 1])).rejects.toThrow(/not finite/);
      expect(applyLogWeights(pairs, [1, 2, 3]).map((p) => p.logWeight)).toEqual([1, 2, 3]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('weighPairs', () => {
  it('weighs pairs end to end (hand-computed), with the sampler drift, leaking nothing', async () => {
    const sampler = new MockPolicy({ vocabSize: 4, distributions: [[0.25, 0.25, 0.25, 0.25]] });
    const recorded = { logpSamplerChosen: 3 * L(0.25) + 0.5, logpSamplerRejected: 2 * L(0.25) };
    const result = await expectNoLeak(() =>
      weighPairs({
        policy: mock,
        sampler,
        pairs: [{ ...pairs[0]!, ...recorded, samplerTemperature: 1 }],
        strategy: importanceWeighting({ ratioExponent: 0.5, alpha: 0 }),
      }),
    );
    // α = 0: log r = S_pi - S_sft; chosen [2,3,1], rejected [3,1].
    const logR = L(0.3) + L(0.25) + L(0.6) - 3 * L(0.25) + (L(0.4) + L(0.25) - 2 * L(0.25));
    expect(result.logWeights[0]).toBeCloseTo(0.5 * logR, 6);
    expect(result.samplerDrift).toBeCloseTo(0.25, 6);
    expect(result.diagnostics.logMean).toBeCloseTo(0.5 * logR, 6);
    const truncated = await weighPairs({
      policy: mock,
      sampler,
      pairs,
      samplerTemperature: 1,
      strategy: importanceWeighting({ ratioExponent: 1, alpha: 0, truncateTokens: 1 }),
    });
    expect(truncated.policyLogProbs.perToken).toBeDefined();
    expect(truncated.samplerDrift).toBeUndefined();
    expect(truncated.logWeights[0]).toBeCloseTo(L(0.3) - L(0.25) + L(0.4) - L(0.25), 6);
  });
});

describe('weighPairs temperatures', () => {
  // Position-only distributions; at temperature τ: log softmax(log p / τ).
  const policy = new MockPolicy({ vocabSize: 3, distributions: [[0.2, 0.3, 0.5]] });
  const sampler = new MockPolicy({ vocabSize: 3, distributions: [[0.4, 0.4, 0.2]] });
  const tempered = (p: number[], tau: number, y: number) => {
    const z = p.map((x) => x ** (1 / tau));
    return Math.log(z[y]! / z.reduce((a, b) => a + b, 0));
  };
  // EOS = 1: chosen [2, 1] (two tokens), rejected [1].
  const pair = { ...makePair('t', [2], [2, 1], [1]), samplerTemperature: 1.0 };

  it("numerator at the policy temperature, denominator at the pairs' temperature (hand-computed)", async () => {
    const result = await weighPairs({
      policy,
      sampler,
      pairs: [pair],
      policyTemperature: 0.7,
      strategy: importanceWeighting({ ratioExponent: 1, alpha: 0 }),
    });
    const pol = [0.2, 0.3, 0.5];
    const sam = [0.4, 0.4, 0.2];
    const sPolicy = tempered(pol, 0.7, 2) + tempered(pol, 0.7, 1);
    const sSampler = tempered(sam, 1, 2) + tempered(sam, 1, 1);
    const logR = sPolicy - sSampler + (tempered(pol, 0.7, 1) - tempered(sam, 1, 1));
    expect(result.temperatures).toEqual({ policy: 0.7, sampler: 1 });
    expect(result.logWeights[0]).toBeCloseTo(logR, 6);
    // Both at 1.0 (the old silent assumption) gives another weight.
    const naive = await weighPairs({
      policy,
      sampler,
      pairs: [pair],
      policyTemperature: 1,
      strategy: importanceWeighting({ ratioExponent: 1, alpha: 0 }),
    });
    expect(Math.abs(naive.logWeights[0]! - logR)).toBeGreaterThan(0.03);
  });

  it('needs a sampler temperature: recorded on the pairs or given; mixed temperatures are refused', async () => {
    const strategy = importanceWeighting({ ratioExponent: 1, alpha: 0 });
    const bare = makePair('u', [2], [2, 1], [1]);
    await expect(weighPairs({ policy, sampler, pairs: [bare], strategy })).rejects.toThrow(
      /record no samplerTemperature/,
    );
    await expect(
      weighPairs({
        policy,
        sampler,
        pairs: [pair, { ...bare, samplerTemperature: 0.7 }],
        strategy,
      }),
    ).rejects.toThrow(/different temperatures/);
    const given = await weighPairs({ policy, sampler, pairs: [bare], strategy, samplerTemperature: 0.5 });
    expect(given.temperatures).toEqual({ policy: 0.5, sampler: 0.5 });
  });
});
