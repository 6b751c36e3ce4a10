import { describeWeightingStrategyContract } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import strategy, { quantileClippedImportance } from './index';

describeWeightingStrategyContract('quantile-clipped importance', () => quantileClippedImportance());

describe('quantileClippedImportance', () => {
  it('clips the extreme pairs and keeps the order of the rest', () => {
    const n = 21;
    const sampler = new Float64Array(n).fill(-10);
    // Policy log-probs rise with i: later pairs are more likely under the policy, so their weights are larger.
    const policy = Float64Array.from({ length: n }, (_, i) => -20 + i);
    const input = {
      logpPolicyChosen: policy,
      logpPolicyRejected: policy,
      logpSamplerChosen: sampler,
      logpSamplerRejected: sampler,
    };
    const { logWeights } = quantileClippedImportance({ ratioExponent: 1, alpha: 0, quantile: 0.1 }).weigh(
      input,
    );
    // λ = 1, α = 0: logWeight_i = 2 (S_pi - S_sft) = 2 (i - 10); the 10 % / 90 % quantiles are i = 2 and i = 18.
    expect(logWeights[0]).toBeCloseTo(2 * (2 - 10), 12);
    expect(logWeights[1]).toBeCloseTo(2 * (2 - 10), 12);
    expect(logWeights[10]).toBeCloseTo(0, 12);
    expect(logWeights[20]).toBeCloseTo(2 * (18 - 10), 12);
  });

  it('the default export is the factory the pipeline calls with the weighting config', () => {
    expect(strategy({ ratioExponent: 0.5, alpha: 0.1 }).name).toContain('q=0.05');
  });
});
