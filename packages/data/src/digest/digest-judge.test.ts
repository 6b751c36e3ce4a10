import { describe, expect, it } from 'vitest';
import { DEFAULT_DIGEST_TASK_CONFIG, type DigestJudgeConfig } from './digest-config';
import { DigestJudge, scoreDigest } from './digest-judge';
import type { DigestWorld } from './digest-world';

// A hand-made world: salience chosen so every number below is computed by hand.
const words = ['sun', 'moon', 'star', 'rain', 'snow', 'fire'];
const world: DigestWorld = {
  words,
  wordIndex: new Map(words.map((w, i) => [w, i])),
  salience: Float64Array.from([0.9, 0.8, 0.5, 0.4, 0.1, 0.7]),
  topicWeights: [],
  salientPool: [0, 1],
};
const judgeConfig: DigestJudgeConfig = { ...DEFAULT_DIGEST_TASK_CONFIG.judge, freeLength: 3 };
const doc = ['sun', 'moon', 'star', 'rain', 'snow', 'sun']; // top-4 salience sum = 0.9+0.8+0.5+0.4 = 2.6
const coverage = (raw: number) => 1 - Math.exp(-2 * raw);

describe('scoreDigest: each term on hand-written responses', () => {
  it('coverage of salient document words, with the order-weighted tie-break', () => {
    const s = scoreDigest(world, judgeConfig, doc, ['sun', 'moon']);
    expect(s.coverage).toBeCloseTo(coverage(1.7 / 2.6), 12);
    expect(s.tieBreak).toBeCloseTo(0.005 * (0.9 + 0.8 / 2), 12);
    expect(s.gold).toBeCloseTo(coverage(1.7 / 2.6) + 0.0065, 12);
    expect([s.repeats, s.excessLength, s.offDoc, s.noEos]).toEqual([0, 0, 0, false]);
    // the same words in the other order: same coverage, smaller tie-break (salient first is preferred)
    const swapped = scoreDigest(world, judgeConfig, doc, ['moon', 'sun']);
    expect(swapped.coverage).toBeCloseTo(s.coverage, 12);
    expect(swapped.gold).toBeLessThan(s.gold);
    expect(s.gold - swapped.gold).toBeCloseTo(0.005 * 0.05, 12);
  });

  it('full coverage of the top 4 and an empty response', () => {
    expect(scoreDigest(world, judgeConfig, doc, ['sun', 'moon', 'star', 'rain']).coverage).toBeCloseTo(
      coverage(1),
      12,
    );
    expect(scoreDigest(world, judgeConfig, doc, []).gold).toBe(0);
  });

  it('repeats cost 0.3 each', () => {
    const s = scoreDigest(world, judgeConfig, doc, ['sun', 'sun', 'moon']);
    expect(s.repeats).toBe(1);
    expect(s.gold).toBeCloseTo(coverage(1.7 / 2.6) + 0.0065 - 0.3, 12);
  });

  it('words beyond freeLength cost 0.2 each', () => {
    const s = scoreDigest(world, judgeConfig, doc, ['sun', 'moon', 'star', 'rain', 'snow']);
    expect(s.excessLength).toBe(2);
    const tie = 0.005 * (0.9 + 0.8 / 2 + 0.5 / 4 + 0.4 / 8 + 0.1 / 16);
    expect(s.gold).toBeCloseTo(coverage(2.7 / 2.6) - 0.4 + tie, 12);
  });

  it('off-document and unknown words cost 0.3 each and lower the tie-break', () => {
    const s = scoreDigest(world, judgeConfig, doc, ['sun', 'fire', 'zebra']);
    expect(s.offDoc).toBe(2);
    expect(s.tieBreak).toBeCloseTo(0.005 * (0.9 - 0.7 / 2 - 0), 12);
    expect(s.gold).toBeCloseTo(coverage(0.9 / 2.6) - 0.6 + s.tieBreak, 12);
  });

  it('no EOS costs 0.5', () => {
    const ended = scoreDigest(world, judgeConfig, doc, ['sun']).gold;
    expect(scoreDigest(world, judgeConfig, doc, ['sun'], false).gold).toBeCloseTo(ended - 0.5, 12);
  });
});

describe('DigestJudge', () => {
  it('scores prompt/response texts (specials dropped) with the ended flags', async () => {
    const judge = new DigestJudge(world, judgeConfig);
    const prompt = `[BOS] ${doc.join(' ')} [SEP]`;
    const scores = await judge.score([prompt, prompt], ['sun moon', 'sun moon'], [true, false]);
    expect(scores[0]).toBeCloseTo(coverage(1.7 / 2.6) + 0.0065, 12);
    expect((scores[0] as number) - (scores[1] as number)).toBeCloseTo(0.5, 12);
    await expect(judge.score([prompt], [])).rejects.toThrow(/1 prompts, 0 responses/);
  });
});

describe('DigestJudge: special tokens inside a response', () => {
  it('count as off-document words (a policy cannot hide tokens from the judge)', async () => {
    const judge = new DigestJudge(world, judgeConfig);
    const prompt = `[BOS] ${doc.join(' ')} [SEP]`;
    const plain = judge.breakdown(prompt, 'sun moon');
    const hidden = judge.breakdown(prompt, 'sun [SEP] moon');
    expect(hidden.offDoc).toBe(1);
    expect(hidden.gold).toBeLessThan(plain.gold - 0.29);
  });
});
