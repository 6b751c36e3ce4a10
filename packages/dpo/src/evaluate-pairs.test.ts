import { createTinyPolicy, expectNoLeak } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { evaluatePreferencePairs } from './evaluate-pairs';
import { pairLogProbSums } from './pair-batches';
import { policyWpoWeights } from './policy-wpo-weights';
import { tinyPreferenceSet } from './test-support/pairs';

const pairs = tinyPreferenceSet(6);
const config = {
  beta: 0.1,
  labelSmoothing: 0,
  loss: 'sigmoid' as const,
  weighting: 'none' as const,
  microBatchSize: 4,
};

describe('evaluatePreferencePairs', () => {
  it('gives loss ln 2 and zero margins for a policy against itself', async () => {
    const policy = createTinyPolicy({ seed: 5 });
    const reference = pairLogProbSums(policy, pairs, { microBatchSize: 3 });
    const m = await expectNoLeak(() => evaluatePreferencePairs({ policy, pairs, reference, config }));
    expect(m['eval/loss']).toBeCloseTo(Math.LN2, 6);
    expect(m['eval/rewards/margins']).toBeCloseTo(0, 6);
    expect(m['eval/rewards/chosen']).toBeCloseTo(0, 6);
    expect(m['eval/logps/chosen']).toBeCloseTo(reference.chosen.reduce((a, b) => a + b) / 6, 4);
    // IPO at h = 0: (0 - 1/(2·0.1))² = 25
    const ipo = evaluatePreferencePairs({
      policy,
      pairs,
      reference,
      config: { ...config, loss: 'ipo' },
      prefix: 'x/',
    });
    expect(ipo['x/loss']).toBeCloseTo(25, 4);
    policy.dispose();
  });

  it('weights the loss by WPO weights under the evaluated policy', async () => {
    const policy = createTinyPolicy({ seed: 5 });
    const reference = pairLogProbSums(policy, pairs, { microBatchSize: 6 });
    const w = await expectNoLeak(() => policyWpoWeights(policy, pairs, { microBatchSize: 4 }));
    const m = evaluatePreferencePairs({ policy, pairs, reference, config: { ...config, weighting: 'wpo' } });
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    expect(m['eval/wpo/weight_mean']).toBeCloseTo(mean, 12);
    expect(m['eval/loss']).toBeCloseTo(Math.LN2 * mean, 6);
    expect(w.every((x) => x > 0 && x <= 1)).toBe(true);
    policy.dispose();
  });

  it('returns an empty record without pairs', () => {
    const policy = createTinyPolicy({ seed: 5 });
    const empty = { chosen: new Float64Array(), rejected: new Float64Array() };
    expect(evaluatePreferencePairs({ policy, pairs: [], reference: empty, config })).toEqual({});
    policy.dispose();
  });
});
