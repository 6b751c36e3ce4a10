import { describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { planStages, ppoUpdatesPerStage, rewardModelStageFor } from './plan';

const names = (method: string, rounds = 3) =>
  planStages(resolvePipelineConfig({ preset: 'smoke', overrides: { method, rounds } })).map((s) => s.name);

describe('planStages', () => {
  it('ocrm: weights → rm → ppo for every round after the first', () => {
    expect(names('ocrm')).toEqual([
      'sft',
      'pairs',
      'labels',
      'rm-1',
      'ppo-1',
      'weights-2',
      'rm-2',
      'ppo-2',
      'weights-3',
      'rm-3',
      'ppo-3',
      'eval',
      'report',
    ]);
  });

  it('iterated reuses RM-1; rlhf runs one PPO stage with every round of updates', () => {
    expect(names('iterated')).toEqual([
      'sft',
      'pairs',
      'labels',
      'rm-1',
      'ppo-1',
      'ppo-2',
      'ppo-3',
      'eval',
      'report',
    ]);
    expect(names('rlhf')).toEqual(['sft', 'pairs', 'labels', 'rm-1', 'ppo-1', 'eval', 'report']);
    const rlhf = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'rlhf', rounds: 3 } });
    expect(ppoUpdatesPerStage(rlhf)).toBe(3 * Number(rlhf.ppo.totalUpdates));
    const iterated = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'iterated', rounds: 3 } });
    expect(rewardModelStageFor(iterated, 3)).toBe('rm-1');
  });

  it('dpo and wpo train on the same pairs without RM or PPO', () => {
    expect(names('dpo')).toEqual(['sft', 'pairs', 'labels', 'dpo', 'eval', 'report']);
    expect(names('wpo')).toEqual(['sft', 'pairs', 'labels', 'wpo', 'eval', 'report']);
  });
});
