import { describePolicyOptimizerContract } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { ppoOptimizer } from './ppo-optimizer';
import { TINY_PPO_CONFIG } from './test-support/setup';

describePolicyOptimizerContract('ppoOptimizer', () =>
  ppoOptimizer({ ...TINY_PPO_CONFIG, rolloutBatchSize: 8, numMinibatches: 2, checkpointEvery: 0 }),
);

describe('ppoOptimizer', () => {
  it('checks its config at construction and needs a critic', async () => {
    expect(() => ppoOptimizer({ klCoef: -1 })).toThrow(/ppo\.klCoef/);
    const optimizer = ppoOptimizer();
    expect(optimizer).toMatchObject({ name: 'ppo', usesCritic: true, canContinue: true, temperature: 0.7 });
    await expect(optimizer.optimize({} as never)).rejects.toThrow(/critic/);
  });
});
