import { ConfigError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DPO_CONFIG, resolveDpoConfig } from './config';

describe('resolveDpoConfig', () => {
  it('fills defaults (β 0.05, ε 0, sigmoid, 1 epoch, eps 1e-5, weight decay 0.01)', () => {
    const config = resolveDpoConfig();
    expect(config).toEqual(DEFAULT_DPO_CONFIG);
    expect(config.beta).toBe(0.05);
    expect(config.labelSmoothing).toBe(0);
    expect(config.loss).toBe('sigmoid');
    expect(config.weighting).toBe('none');
    expect(config.epochs).toBe(1);
    expect(config.epsilon).toBe(1e-5);
    expect(config.weightDecay).toBe(0.01);
    expect(Object.isFrozen(DEFAULT_DPO_CONFIG)).toBe(true);
  });

  it('keeps given fields and ignores undefined ones', () => {
    const config = resolveDpoConfig({ weighting: 'wpo', batchSize: 4, microBatchSize: 2, beta: undefined });
    expect(config.weighting).toBe('wpo');
    expect(config.batchSize).toBe(4);
    expect(config.beta).toBe(0.05);
  });

  it.each([
    [{ beta: 0 }, 'dpo.beta'],
    [{ labelSmoothing: 0.5 }, 'dpo.labelSmoothing'],
    [{ loss: 'hinge' as never }, 'dpo.loss'],
    [{ loss: 'ipo' as const, labelSmoothing: 0.1 }, 'dpo.labelSmoothing'],
    [{ weighting: 'ocrm' as never }, 'dpo.weighting'],
    [{ learningRate: -1 }, 'dpo.learningRate'],
    [{ batchSize: 0 }, 'dpo.batchSize'],
    [{ batchSize: 4, microBatchSize: 8 }, 'dpo.microBatchSize'],
    [{ epochs: 1.5 }, 'dpo.epochs'],
    [{ maxPairs: 0 }, 'dpo.maxPairs'],
    [{ epsilon: 0 }, 'dpo.epsilon'],
    [{ eps: 1e-8 } as never, 'dpo.eps'],
    [{ warmup: 5 } as never, 'dpo.warmup'],
    [{ betta: 0.1 } as never, 'dpo.betta'],
    [{ seed: -1 }, 'dpo.seed'],
    [{ checkpointEvery: -2 }, 'dpo.checkpointEvery'],
  ])('rejects %o naming %s', (partial, path) => {
    try {
      resolveDpoConfig(partial);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(path);
    }
  });

  it('uses the given path prefix', () => {
    expect(() => resolveDpoConfig({ beta: -1 }, 'baselines.wpo')).toThrow(/baselines\.wpo\.beta/);
  });
});
