import { describePairSamplerContract } from '@ocrm/core/test';
import { describe, expect, it } from 'vitest';
import { temperaturePairSampler } from './temperature-pair-sampler';

describePairSamplerContract('temperaturePairSampler (T 1.0)', () => temperaturePairSampler());
describePairSamplerContract('temperaturePairSampler (T 0.7, 2 passes)', () =>
  temperaturePairSampler({ temperature: 0.7, passes: 2 }),
);

describe('temperaturePairSampler', () => {
  it('refuses a non-positive temperature or passes at construction', () => {
    expect(() => temperaturePairSampler({ temperature: 0 })).toThrow(/pairs\.temperature/);
    expect(() => temperaturePairSampler({ passes: 0 })).toThrow(/pairs\.passes/);
  });
});
