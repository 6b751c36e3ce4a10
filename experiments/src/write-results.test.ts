import { describe, expect, it } from 'vitest';
import { wallTime } from './write-results.mjs';

describe('results header', () => {
  const jobs = [
    ...Array.from({ length: 47 }, () => ({ group: 'main' })),
    ...Array.from({ length: 3 }, () => ({ group: 'ablation' })),
  ] as never[];

  it('states one wall time, or the main runs and the ablation timed apart', () => {
    expect(wallTime(3174, jobs, undefined)).toBe('52.9 min for 50 runs');
    expect(wallTime(3174, jobs, 366)).toBe(
      '52.9 min for the 47 runs of `npm run experiment`, then 6.1 min for the 3 runs of the `roundStart` ablation ' +
        '(`-- --ablation`, resuming the same run folder)',
    );
  });
});
