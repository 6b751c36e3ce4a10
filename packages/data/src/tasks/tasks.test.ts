import { NotFoundError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { createTldrMiniTask } from './create-tldr-mini-task';
import { getTask } from './get-task';
import { TldrJudge } from './tldr-judge';

const prompt =
  'SUBREDDIT: r/pets\n\nTITLE: My cat ate my homework\n\nPOST: The cat ate the homework again. My teacher was angry.\n\nTL;DR:';
const judge = new TldrJudge([
  'cat homework teacher',
  'dog walk park',
  'teacher school exam',
  'cat food vet',
  'angry boss work',
]);

describe('TldrJudge', () => {
  it('rewards covering salient post words, never reads a reference', async () => {
    const none = judge.breakdown(prompt, ' I like trains');
    const some = judge.breakdown(prompt, ' cat ate homework');
    const more = judge.breakdown(prompt, ' cat ate homework, teacher angry');
    expect(none.coverage).toBe(0);
    expect(some.coverage).toBeGreaterThan(0);
    expect(more.coverage).toBeGreaterThan(some.coverage);
    expect(none.offPost).toBe(1); // trains ('i' and 'like' are stop words)
    expect(none.gold).toBeCloseTo(-0.02, 12);
  });

  it('penalises length, repeated trigrams and a missing EOS', () => {
    const base = judge.breakdown(prompt, ' cat ate homework');
    const long = judge.breakdown(prompt, ` cat ate homework${' and'.repeat(40)}`);
    expect(long.excessLength).toBe(3);
    expect(long.repeatedTrigrams).toBe(37); // 'and and and' 38 times, the first is new
    expect(long.gold).toBeCloseTo(base.gold - 0.06 - 0.2 * 37, 12);
    const repeated = judge.breakdown(prompt, ' cat ate homework cat ate homework');
    expect(repeated.repeatedTrigrams).toBe(1);
    expect(judge.breakdown(prompt, ' cat ate homework', false).gold).toBeCloseTo(base.gold - 0.5, 12);
  });
});

describe('tldr-mini task', () => {
  it('ships 1,945 posts, splits them by seed, fits the query budget, keeps references', async () => {
    const task = await createTldrMiniTask({ numTrain: 40, numEval: 20 });
    expect(task.trainPrompts).toHaveLength(40);
    expect(task.evalPrompts).toHaveLength(20);
    expect(task.tokenizer.encode('Hello')).toEqual([12092]);
    for (const p of [...task.trainPrompts, ...task.evalPrompts]) {
      expect(p.prompt).toMatch(/^SUBREDDIT: r\/.*\n\nTITLE: [\s\S]*\n\nPOST: [\s\S]*\n\nTL;DR:$/);
      expect(task.tokenizer.encode(p.prompt).length).toBeLessThanOrEqual(512);
    }
    expect(task.evalPrompts.every((p) => p.reference?.startsWith(' '))).toBe(true);
    expect(task.sftTrain[0]?.prompt).toBe(task.trainPrompts[0]?.prompt);
    const again = await createTldrMiniTask({ numTrain: 40, numEval: 20 });
    expect(again.evalPrompts).toEqual(task.evalPrompts);
    const scores = await task.judge.score(
      task.evalPrompts.map((p) => p.prompt),
      task.evalPrompts.map((p) => p.reference as string),
    );
    expect(scores.every(Number.isFinite)).toBe(true);
  });

  it('getTask knows digest and tldr-mini', async () => {
    expect((await getTask('digest', { numSftTrain: 10 })).name).toBe('digest');
    await expect(getTask('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});
