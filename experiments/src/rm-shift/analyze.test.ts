import { describe, expect, it } from 'vitest';
import { analyzeVariant, pairedSummary, tQuantile80 } from './analyze.mjs';

const scores = (accuracy: number) => ({
  accuracy,
  counted: 100,
  accuracyLonger: accuracy,
  countedLonger: 50,
  accuracyRepeat: accuracy,
  countedRepeat: 20,
  spearman: 0.5,
});
const arm = (key: string, kind: 'rm1' | 'weighted' | 'oracle', test: number, validation: number) => ({
  arm: { key, label: key, kind },
  test: scores(test),
  validation: scores(validation),
});

describe('rm-shift statistics', () => {
  it('the 80 % t quantile matches the tables (df 4: 0.941, df 9: 0.883, df 29: 0.854)', () => {
    expect(tQuantile80(4)).toBeCloseTo(0.941, 2);
    expect(tQuantile80(9)).toBeCloseTo(0.883, 3);
    expect(tQuantile80(29)).toBeCloseTo(0.854, 3);
  });

  it('paired summary: mean, 95 % interval and the detectable effect (hand-computed)', () => {
    // diffs 0.01, 0.03, 0.02: mean 0.02, sd 0.01, t(0.975, 2) = 4.303, half-width 0.02484
    const s = pairedSummary([0.01, 0.03, 0.02]);
    expect(s.mean).toBeCloseTo(0.02, 12);
    expect(s.halfWidth).toBeCloseTo((4.303 * 0.01) / Math.sqrt(3), 4);
    expect(s.mde).toBeCloseTo(((4.303 + tQuantile80(2)) * 0.01) / Math.sqrt(3), 4);
  });

  it('headroom is oracle − λ0; the IW gain takes the weighted arm best on validation, reported on test', () => {
    const bySeed = {
      0: {
        lambda0: arm('lambda0', 'rm1', 0.6, 0.6),
        a: arm('a', 'weighted', 0.62, 0.7), // chosen on validation
        b: arm('b', 'weighted', 0.7, 0.5), // better on test, not chosen
        'oracle-all': arm('oracle-all', 'oracle', 0.7, 0.7),
      },
      1: {
        lambda0: arm('lambda0', 'rm1', 0.5, 0.5),
        a: arm('a', 'weighted', 0.5, 0.4),
        b: arm('b', 'weighted', 0.54, 0.6), // chosen
        'oracle-all': arm('oracle-all', 'oracle', 0.56, 0.6),
      },
    };
    const r = analyzeVariant(bySeed);
    expect(r.seeds).toEqual([0, 1]);
    expect(r.selected).toEqual(['a', 'b']);
    expect(r.iwGain!.mean).toBeCloseTo((0.02 + 0.04) / 2, 12);
    expect(r.headroom!.mean).toBeCloseTo((0.1 + 0.06) / 2, 12);
    expect(r.arms.find((a) => a.key === 'b')!.vsLambda0.mean).toBeCloseTo((0.1 + 0.04) / 2, 12);
  });

  it('a seed missing an arm is left out', () => {
    const r = analyzeVariant({
      0: { lambda0: arm('lambda0', 'rm1', 0.6, 0.6), a: arm('a', 'weighted', 0.6, 0.6) },
      1: { lambda0: arm('lambda0', 'rm1', 0.6, 0.6) },
    });
    expect(r.seeds).toEqual([0]);
  });
});
