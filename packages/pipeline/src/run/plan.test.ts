import { describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { planStages, ppoSegment, ppoUpdatesPerStage, rewardModelStageFor } from './plan';

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

  it('roundStart continue: the PPO stages are segments of one schedule as long as the rlhf arm', () => {
    const config = (method: string, roundStart: string) =>
      resolvePipelineConfig({
        preset: 'smoke',
        overrides: { method, rounds: 3, roundStart, ppo: { totalUpdates: 5 } } as never,
      });
    const ocrm = config('ocrm', 'continue');
    expect([1, 2, 3].map((k) => ppoSegment(ocrm, k))).toEqual([
      { totalUpdates: 15, firstUpdate: 0, stopAfter: 5, continued: true, carriesCritic: true },
      { totalUpdates: 15, firstUpdate: 5, stopAfter: 10, continued: true, carriesCritic: true },
      { totalUpdates: 15, firstUpdate: 10, stopAfter: 15, continued: true, carriesCritic: true },
    ]);
    expect(ppoSegment(config('iterated', 'continue'), 2)).toEqual(ppoSegment(ocrm, 2));
    // The rlhf arm's single stage is the same 15-update schedule.
    expect(ppoSegment(config('rlhf', 'continue'), 1)).toEqual({
      totalUpdates: 15,
      firstUpdate: 0,
      stopAfter: 15,
      continued: false,
      carriesCritic: false,
    });
    expect(ppoSegment(config('ocrm', 'restart'), 2)).toEqual({
      totalUpdates: 5,
      firstUpdate: 0,
      stopAfter: 5,
      continued: false,
      carriesCritic: false,
    });
    expect(ppoSegment(config('ocrm', 'continue-fresh-critic'), 2)).toMatchObject({
      firstUpdate: 5,
      continued: true,
      carriesCritic: false,
    });
  });
});
