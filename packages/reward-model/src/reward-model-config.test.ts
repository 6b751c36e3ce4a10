import { ConfigError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARD_MODEL_CONFIG, resolveRewardModelConfig } from './reward-model-config';

describe('resolveRewardModelConfig', () => {
  it('fills defaults (1 epoch, AdamW eps 1e-5, batch-normalised weights)', () => {
    const c = resolveRewardModelConfig({ learningRate: 1e-3 });
    expect(c.learningRate).toBe(1e-3);
    expect(c.epochs).toBe(1);
    expect(c.epsilon).toBe(1e-5);
    expect(c.weightNormalization).toBe('batch');
    expect(Object.isFrozen(DEFAULT_REWARD_MODEL_CONFIG)).toBe(true);
  });

  it('names the bad field', () => {
    expect(() => resolveRewardModelConfig({ batchSize: 0 })).toThrow(/rewardModel\.batchSize/);
    expect(() => resolveRewardModelConfig({ batchSize: 8, microBatchSize: 3 })).toThrow(/microBatchSize/);
    expect(() => resolveRewardModelConfig({ weightNormalization: 'sum' as never })).toThrow(ConfigError);
    expect(() => resolveRewardModelConfig({ nope: 1 } as never)).toThrow(/rewardModel\.nope/);
  });
});
