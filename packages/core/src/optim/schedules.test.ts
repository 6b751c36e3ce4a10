import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { constantSchedule, cosineSchedule, linearSchedule } from './schedules';

describe('schedules', () => {
  it('cosine with warmup (Hugging Face semantics)', () => {
    const lr = cosineSchedule({ peakLr: 1, totalSteps: 10, warmupSteps: 2 });
    expect(lr(0)).toBe(0);
    expect(lr(1)).toBe(0.5);
    expect(lr(2)).toBe(1);
    expect(lr(6)).toBeCloseTo(0.5, 12);
    expect(lr(4)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 4)), 12);
    expect(lr(10)).toBeCloseTo(0, 12);
    expect(lr(15)).toBeCloseTo(0, 12);
  });

  it('cosine with a floor and no warmup', () => {
    const lr = cosineSchedule({ peakLr: 1, totalSteps: 8, minLr: 0.1 });
    expect(lr(0)).toBe(1);
    expect(lr(4)).toBeCloseTo(0.55, 12);
    expect(lr(8)).toBeCloseTo(0.1, 12);
  });

  it('linear to 0 with warmup', () => {
    const lr = linearSchedule({ peakLr: 2, totalSteps: 10, warmupSteps: 2 });
    expect(lr(1)).toBe(1);
    expect(lr(2)).toBe(2);
    expect(lr(4)).toBeCloseTo(1.5, 12);
    expect(lr(6)).toBeCloseTo(1, 12);
    expect(lr(10)).toBe(0);
    expect(lr(12)).toBe(0);
  });

  it('constant', () => {
    expect(constantSchedule(3e-4)(123)).toBe(3e-4);
  });

  it('validates', () => {
    expect(() => cosineSchedule({ peakLr: 1, totalSteps: 0 })).toThrow(ConfigError);
    expect(() => linearSchedule({ peakLr: 1, totalSteps: 5, warmupSteps: 6 })).toThrow(/warmupSteps/);
    expect(() => cosineSchedule({ peakLr: 1, totalSteps: 5, minLr: 2 })).toThrow(/minLr/);
    expect(() => constantSchedule(-1)).toThrow(ConfigError);
  });
});
