import { describePolicyOptimizerContract } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { grpoOptimizer, rlooOptimizer } from './optimizer';
import { TINY_CONFIG } from './test-support/setup';

const small = { ...TINY_CONFIG, rolloutBatchSize: 8, microBatchSize: 8, numMinibatches: 2 };

describePolicyOptimizerContract('rlooOptimizer', () => rlooOptimizer(small));
describePolicyOptimizerContract('grpoOptimizer', () => grpoOptimizer(small));

describe('policyGradientOptimizer', () => {
  it('checks its config at construction and refuses to continue across rounds', async () => {
    expect(() => rlooOptimizer({ groupSize: 1 })).toThrow(/rloo\.groupSize/);
    const optimizer = grpoOptimizer(small);
    expect(optimizer).toMatchObject({
      name: 'grpo',
      usesCritic: false,
      canContinue: false,
      temperature: 0.7,
    });
    await expect(
      optimizer.optimize({ continueFrom: { checkpointDir: '/nowhere', critic: false } } as never),
    ).rejects.toThrow(/restart/);
  });
});
