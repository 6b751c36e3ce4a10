import { describe, expect, it } from 'vitest';
import { dpoRewardMetrics } from './metrics';

describe('dpoRewardMetrics', () => {
  it('reports TRL-named reward metrics', () => {
    const m = dpoRewardMetrics(
      { policyChosen: [-10, -20], policyRejected: [-12, -8], refChosen: [-11, -18], refRejected: [-11, -10] },
      0.5,
    );
    // rewards chosen: 0.5*1 = 0.5, 0.5*-2 = -1 ; rejected: 0.5*-1 = -0.5, 0.5*2 = 1
    expect(m['rewards/chosen']).toBeCloseTo(-0.25, 12);
    expect(m['rewards/rejected']).toBeCloseTo(0.25, 12);
    expect(m['rewards/margins']).toBeCloseTo((1 - 2) / 2, 12);
    expect(m['rewards/accuracies']).toBe(0.5);
    expect(m['logps/chosen']).toBe(-15);
    expect(m['logps/rejected']).toBe(-10);
  });
  it('returns an empty record for no pairs', () => {
    expect(
      dpoRewardMetrics({ policyChosen: [], policyRejected: [], refChosen: [], refRejected: [] }, 1),
    ).toEqual({});
  });
});
