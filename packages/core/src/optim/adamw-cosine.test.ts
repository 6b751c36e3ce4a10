import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { type AdamWCosineConfig, checkAdamWCosineConfig, createAdamWCosine } from './adamw-cosine';

const config: AdamWCosineConfig = {
  learningRate: 0.1,
  minLearningRateRatio: 0.5,
  warmupSteps: 2,
  weightDecay: 0.01,
  epsilon: 1e-5,
  beta1: 0.9,
  beta2: 0.999,
  maxGradNorm: 0,
};

describe('createAdamWCosine', () => {
  it('warms up linearly, then decays by a cosine to learningRate * minLearningRateRatio', () => {
    const { optimizer, schedule } = createAdamWCosine(config, 6);
    // warmup: 0.1·s/2; then 0.05 + 0.05·(1 + cos(π·(s−2)/4))/2
    expect(schedule(0)).toBe(0);
    expect(schedule(1)).toBeCloseTo(0.05, 12);
    expect(schedule(2)).toBeCloseTo(0.1, 12);
    expect(schedule(4)).toBeCloseTo(0.075, 12);
    expect(schedule(6)).toBeCloseTo(0.05, 12);
    expect(optimizer.config).toMatchObject({ beta1: 0.9, beta2: 0.999, epsilon: 1e-5, weightDecay: 0.01 });
    optimizer.dispose();
  });

  it('caps the warmup at the run length', () => {
    const { optimizer, schedule } = createAdamWCosine({ ...config, warmupSteps: 10 }, 4);
    expect(schedule(2)).toBeCloseTo(0.05, 12); // 0.1 · 2/4
    optimizer.dispose();
  });
});

describe('checkAdamWCosineConfig', () => {
  it('accepts a valid config and names the bad field', () => {
    expect(() => checkAdamWCosineConfig(config, 'sft.')).not.toThrow();
    expect(() => checkAdamWCosineConfig({ ...config, epsilon: 0 }, 'sft.')).toThrow(/sft\.epsilon/);
    expect(() => checkAdamWCosineConfig({ ...config, beta2: 1.5 }, 'rm.')).toThrow(ConfigError);
    expect(() => checkAdamWCosineConfig({ ...config, warmupSteps: 0.5 }, 'x.')).toThrow(/x\.warmupSteps/);
  });
});
