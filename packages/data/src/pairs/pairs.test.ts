import { describe, expect, it } from 'vitest';
import { createDigestTask } from '../digest/create-digest-task';
import { ScriptedPolicy } from '../test-support/scripted-policy';
import { labelPairs } from './label-pairs';
import { samplePairs, shardUnits } from './sample-pairs';

const task = createDigestTask({ numSftTrain: 0, numSftEval: 0, numTrainPrompts: 10, numEvalPrompts: 0 });
const tok = task.tokenizer;

describe('samplePairs', () => {
  it('two pure-temperature samples per prompt, ids through the first EOS, log-prob sums, decoded texts', async () => {
    // ids 5.. are words; EOS 3 placed by the scripted policy
    const policy = new ScriptedPolicy(tok.vocabSize, tok.eosId, tok.padId, 5);
    const pairs = await samplePairs(policy, task.trainPrompts, tok, {
      maxNewTokens: 6,
      passes: 2,
      seed: 9,
      promptsPerCall: 4,
    });
    expect(pairs).toHaveLength(20);
    expect(pairs[0]?.id).toBe('digest-train-0-p0');
    expect(pairs[10]?.id).toBe('digest-train-0-p1');
    expect(policy.calls).toHaveLength(6); // 3 calls (4+4+2 prompts) per pass
    for (const call of policy.calls) {
      expect(call.options).toMatchObject({ temperature: 1, maxNewTokens: 6, lengthMode: 'fixed', seed: 9 });
      expect(call.options.topK).toBeUndefined();
      expect(call.options.topP).toBeUndefined();
    }
    expect(new Set(policy.calls.map((c) => c.options.stream)).size).toBe(6);
    let ended = 0;
    for (const pair of pairs) {
      expect(pair.promptIds).toEqual(tok.encode(pair.prompt));
      expect(pair.samplerTemperature).toBe(1);
      for (const [ids, text, logp] of [
        [pair.chosenIds, pair.chosen, pair.logpSamplerChosen],
        [pair.rejectedIds, pair.rejected, pair.logpSamplerRejected],
      ] as const) {
        expect(ids.length).toBeGreaterThan(0);
        expect(ids.length).toBeLessThanOrEqual(6);
        expect(ids.slice(0, -1)).not.toContain(tok.eosId);
        expect(logp).toBe(-ids.length);
        const hasEos = ids.at(-1) === tok.eosId;
        ended += +hasEos;
        expect(tok.encode(text)).toEqual(hasEos ? ids.slice(0, -1) : ids);
      }
    }
    expect(ended).toBeGreaterThan(0);
    expect(ended).toBeLessThan(40);
  });

  it('is deterministic for a seed', async () => {
    const run = () =>
      samplePairs(new ScriptedPolicy(tok.vocabSize, tok.eosId, tok.padId, 5), task.trainPrompts, tok, {
        maxNewTokens: 5,
        seed: 1,
      });
    expect(await run()).toEqual(await run());
  });

  it('shards: contiguous runs of whole calls (streams kept), concatenating to the unsharded pairs', async () => {
    expect(shardUnits(6, { index: 0, count: 4 })).toEqual([0, 1]);
    expect(shardUnits(6, { index: 3, count: 4 })).toEqual([4, 6]);
    expect(shardUnits(2, { index: 0, count: 3 })).toEqual([0, 0]);
    expect(shardUnits(5)).toEqual([0, 5]);
    expect(() => shardUnits(5, { index: 2, count: 2 })).toThrow(/shard 2\/2/);
    const run = (shard?: { index: number; count: number }) => {
      const policy = new ScriptedPolicy(tok.vocabSize, tok.eosId, tok.padId, 5);
      const progress: number[][] = [];
      return samplePairs(policy, task.trainPrompts, tok, {
        maxNewTokens: 6,
        passes: 2,
        seed: 9,
        promptsPerCall: 4,
        shard,
        onProgress: (done, total) => progress.push([done, total]),
      }).then((pairs) => ({ pairs, streams: policy.calls.map((c) => c.options.stream), progress }));
    };
    const whole = await run();
    // 6 calls (3 per pass: 4 + 4 + 2 prompts) over 4 shards: calls 0 | 1-2 | 3 | 4-5.
    const parts = [];
    for (let index = 0; index < 4; index++) parts.push(await run({ index, count: 4 }));
    expect(parts.map((p) => p.streams)).toEqual([[0], [1, 2], [100003], [100004, 100005]]);
    expect(parts.flatMap((p) => p.pairs)).toEqual(whole.pairs);
    // Progress counts the shard's own pairs.
    expect(parts[1]!.progress).toEqual([
      [4, 6],
      [6, 6],
    ]);
  });
});

describe('labelPairs', () => {
  const base = {
    prompt: 'p',
    promptIds: [1],
    logpSamplerChosen: -1,
    logpSamplerRejected: -2,
  };
  const judge = {
    specificationVersion: 'v1' as const,
    name: 'length',
    // score = number of words, minus 10 when not ended
    score: async (_p: readonly string[], r: readonly string[], ended?: readonly boolean[]) =>
      r.map((x, i) => x.split(' ').length - (ended?.[i] === false ? 10 : 0)),
  };
  const pairs = [
    { ...base, id: 'a', chosen: 'x', rejected: 'x y', chosenIds: [5, 3], rejectedIds: [5, 6, 3] },
    { ...base, id: 'b', chosen: 'x y', rejected: 'x', chosenIds: [5, 6, 3], rejectedIds: [5, 3] },
    { ...base, id: 'c', chosen: 'x', rejected: 'y', chosenIds: [5, 3], rejectedIds: [6, 3] },
    { ...base, id: 'd', chosen: 'x y', rejected: 'x', chosenIds: [5, 6], rejectedIds: [5, 3] },
  ];

  it('argmax: chosen = higher gold, ids and log-probs move along, ties flagged and counted', async () => {
    const { pairs: out, stats } = await labelPairs(pairs, judge, { eosId: 3 });
    expect(out[0]).toMatchObject({
      chosen: 'x y',
      rejected: 'x',
      chosenIds: [5, 6, 3],
      rejectedIds: [5, 3],
      goldChosen: 2,
      goldRejected: 1,
      logpSamplerChosen: -2,
      logpSamplerRejected: -1,
    });
    expect(out[0]?.tie).toBeUndefined();
    expect(out[1]).toMatchObject({ chosen: 'x y', goldChosen: 2, goldRejected: 1 });
    expect(out[2]).toMatchObject({ chosen: 'x', rejected: 'y', tie: true, goldChosen: 1, goldRejected: 1 });
    expect(out[3]).toMatchObject({ chosen: 'x', goldChosen: 1, goldRejected: -8 }); // no EOS: -10
    expect(stats).toMatchObject({ n: 4, ties: 1, tieRate: 0.25, swapRate: 0.5, agreement: 1 });
    expect(stats.meanMargin).toBeCloseTo((1 + 1 + 0 + 9) / 4, 12);
    expect(pairs[0]?.chosen).toBe('x'); // input untouched
  });

  it('bradley-terry: seeded, follows sigmoid(Δ/T)', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...pairs[0]!, id: `m${i}` }));
    const { stats } = await labelPairs(many, judge, { mode: 'bradley-terry', temperature: 1, seed: 3 });
    // P(second chosen) = sigmoid(2 - 1) = 0.731
    expect(stats.swapRate).toBeGreaterThan(0.7);
    expect(stats.swapRate).toBeLessThan(0.76);
    const again = await labelPairs(many, judge, { mode: 'bradley-terry', temperature: 1, seed: 3 });
    expect(again.stats).toEqual(stats);
  });
});

describe('samplePairs + labelPairs with a real tiny policy and the mock judge', () => {
  it('records log-prob sums equal to the sample result and labels by gold', async () => {
    const { createTinyPolicy, MockGoldJudge } = await import('@ocrm/core/test');
    const policy = createTinyPolicy({ vocabSize: 16, eosId: 1, padId: 0, seed: 2 });
    const tiny = {
      specificationVersion: 'v1' as const,
      vocabSize: 16,
      eosId: 1,
      padId: 0,
      encode: (text: string) => text.split(' ').filter(Boolean).map(Number),
      decode: (ids: ArrayLike<number>) =>
        Array.from(ids)
          .filter((id) => id > 1)
          .join(' '),
    };
    const prompts = [
      { id: 'a', prompt: '2 3 4' },
      { id: 'b', prompt: '5 6' },
      { id: 'c', prompt: '7' },
    ];
    const pairs = await samplePairs(policy, prompts, tiny, { maxNewTokens: 5, seed: 4, passes: 2 });
    expect(pairs).toHaveLength(6);
    const direct = await policy.sample(
      prompts.flatMap((p) => [tiny.encode(p.prompt), tiny.encode(p.prompt)]),
      { temperature: 1, maxNewTokens: 5, lengthMode: 'fixed', seed: 4, stream: 0 },
    );
    expect(pairs[0]?.logpSamplerChosen).toBeCloseTo(direct.logProbSums[0] as number, 10);
    expect(pairs[2]?.logpSamplerRejected).toBeCloseTo(direct.logProbSums[5] as number, 10);
    const judge = new MockGoldJudge({ scoreFn: (r) => r.split(' ').filter((w) => w === '9').length });
    const { pairs: labelled, stats } = await labelPairs(pairs, judge, { eosId: 1 });
    expect(stats.n).toBe(6);
    for (const p of labelled) expect(p.goldChosen).toBeGreaterThanOrEqual(p.goldRejected as number);
    policy.dispose();
  });
});
