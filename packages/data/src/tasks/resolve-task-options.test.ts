import { describe, expect, it } from 'vitest';
import { DEFAULT_DIGEST_TASK_CONFIG } from '../digest/digest-config';
import { createTldrMiniTask, DEFAULT_TLDR_MINI_TASK_OPTIONS } from './create-tldr-mini-task';
import { getTask } from './get-task';
import { resolveTaskOptions } from './resolve-task-options';
import { DEFAULT_TLDR_JUDGE_CONFIG } from './tldr-judge';

describe('resolveTaskOptions', () => {
  it('fills the digest task config and builds the same task', async () => {
    const options = { numSftTrain: 64, numTrainPrompts: 16, judge: { freeLength: 4 } };
    const full = resolveTaskOptions('digest', options);
    expect(full).toEqual({
      ...DEFAULT_DIGEST_TASK_CONFIG,
      numSftTrain: 64,
      numTrainPrompts: 16,
      judge: { ...DEFAULT_DIGEST_TASK_CONFIG.judge, freeLength: 4 },
    });
    expect(resolveTaskOptions('digest', full)).toEqual(full);
    const [a, b] = await Promise.all([getTask('digest', options), getTask('digest', full)]);
    expect(b.trainPrompts).toEqual(a.trainPrompts);
    expect(b.sftTrain).toEqual(a.sftTrain);
  });

  it('fills tldr-mini defaults (numTrain stays absent: all the rest) and builds the same task', async () => {
    const full = resolveTaskOptions('tldr-mini', { numEval: 20, judge: { lengthPenalty: 0.1 } });
    expect(full).toEqual({
      ...DEFAULT_TLDR_MINI_TASK_OPTIONS,
      numEval: 20,
      judge: { ...DEFAULT_TLDR_JUDGE_CONFIG, lengthPenalty: 0.1 },
    });
    expect(full).not.toHaveProperty('numTrain');
    const [a, b] = await Promise.all([
      createTldrMiniTask({ numEval: 20 }),
      createTldrMiniTask(full as never),
    ]);
    expect(b.evalPrompts).toEqual(a.evalPrompts);
    expect(b.trainPrompts.length).toBe(a.trainPrompts.length);
  });

  it('keeps other tasks’ options as written', () => {
    const options = { dataset: { repo: 'o/d' } };
    expect(resolveTaskOptions('hub', options)).toBe(options);
  });
});
