import { ConfigError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SFT_CONFIG, resolveSftConfig } from './sft-config';

describe('resolveSftConfig', () => {
  it('fills defaults (AdamW eps 1e-5, weight decay 0.01, 1 epoch)', () => {
    const c = resolveSftConfig({ batchSize: 8, microBatchSize: 4 });
    expect(c).toMatchObject({
      batchSize: 8,
      microBatchSize: 4,
      epsilon: 1e-5,
      weightDecay: 0.01,
      epochs: 1,
    });
    expect(Object.isFrozen(DEFAULT_SFT_CONFIG)).toBe(true);
  });

  it('names the bad field', () => {
    expect(() => resolveSftConfig({ learningRate: -1 })).toThrow(/sft\.learningRate/);
    expect(() => resolveSftConfig({ batchSize: 6, microBatchSize: 4 })).toThrow(ConfigError);
    expect(() => resolveSftConfig({ foo: 1 } as never)).toThrow(/sft\.foo/);
  });
});
