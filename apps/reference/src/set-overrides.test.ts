import { describe, expect, it } from 'vitest';
import { parseSetFlags } from './set-overrides';

describe('parseSetFlags', () => {
  it('builds a partial config with JSON values, strings otherwise', () => {
    expect(
      parseSetFlags([
        'ppo.klCoef=0.05',
        'weighting.ratioExponent=null',
        'weighting.targetEss=0.6',
        'eval.greedy=true',
        'task.name=digest',
        'task.options={"numSftTrain":100}',
      ]),
    ).toEqual({
      ppo: { klCoef: 0.05 },
      weighting: { ratioExponent: null, targetEss: 0.6 },
      eval: { greedy: true },
      task: { name: 'digest', options: { numSftTrain: 100 } },
    });
  });

  it('rejects a flag without a path', () => {
    expect(() => parseSetFlags(['=3'])).toThrow(/`--set`/);
    expect(() => parseSetFlags(['a..b=1'])).toThrow(/`--set`/);
  });
});
