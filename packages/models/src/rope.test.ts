import { ConfigError, UnsupportedError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { parseHfConfig } from './config';
import { toHfConfig } from './hf-config';
import { parseRopeScaling, ropeInverseFrequencies } from './rope';

/** Llama 3.1 8B's rotary settings (its config.json): head_dim 128, theta 500 000, llama3 scaling. */
const LLAMA31 = {
  rope_type: 'llama3',
  factor: 8,
  low_freq_factor: 1,
  high_freq_factor: 4,
  original_max_position_embeddings: 8192,
};

describe('rotary frequencies', () => {
  it('default: theta^(-2i/d)', () => {
    const inv = ropeInverseFrequencies(8, 10_000);
    expect([...inv]).toEqual([1, 0.1, 0.01, 0.001].map((v, i) => (i === 0 ? 1 : expect.closeTo(v, 15))));
  });

  it('llama3, values derived by hand for Llama 3.1 (wavelength thresholds 8192/4 = 2048 and 8192/1 = 8192)', () => {
    const inv = ropeInverseFrequencies(128, 500_000, parseRopeScaling(LLAMA31));
    // i = 0: wavelength 2π < 2048, kept.
    expect(inv[0]).toBe(1);
    // i = 28: 500000^(-56/128) = 3.21145e-3, wavelength 1956.5 < 2048, kept.
    expect(inv[28]).toBeCloseTo(3.2114459947e-3, 12);
    // i = 32: f = 500000^(-1/2) = 1.41421e-3, wavelength 2π/f = 4442.88 in (2048, 8192): smooth =
    // (8192/4442.88 − 1)/(4 − 1) = 0.281283; (1 − 0.281283)·f/8 + 0.281283·f = 0.371123·f = 5.24846e-4.
    expect(inv[32]).toBeCloseTo(5.248461e-4, 9);
    // i = 35: f = 7.64497e-4, wavelength 8218.7 > 8192: f / 8 = 9.55621e-5.
    expect(inv[35]).toBeCloseTo(9.556212e-5, 10);
    // i = 63: f = 2.45514e-6 (wavelength 2.56e6): f / 8 = 3.06893e-7.
    expect(inv[63]).toBeCloseTo(3.068926e-7, 12);
  });

  it('linear divides every frequency by the factor', () => {
    const inv = ropeInverseFrequencies(4, 10_000, { type: 'linear', factor: 4 });
    expect([...inv]).toEqual([0.25, 0.0025]);
  });

  it('a Llama 3.1 config.json parses, and writes back with the same scaling', () => {
    const json = {
      model_type: 'llama',
      vocab_size: 128,
      hidden_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 96,
      rope_theta: 500_000,
      rope_scaling: LLAMA31,
    };
    const config = parseHfConfig(json);
    expect(config.ropeScaling).toEqual({
      type: 'llama3',
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositions: 8192,
    });
    const written = toHfConfig(config);
    expect(written.rope_scaling).toEqual({ ...LLAMA31, rope_theta: 500_000 });
    expect(parseHfConfig(written).ropeScaling).toEqual(config.ropeScaling);
    expect(parseHfConfig({ ...json, rope_scaling: undefined }).ropeScaling).toBeUndefined();
  });

  it('refuses other rope types and incomplete llama3 parameters, naming the field', () => {
    expect(() => parseRopeScaling({ rope_type: 'yarn', factor: 4 })).toThrow(UnsupportedError);
    expect(() => parseRopeScaling({ rope_type: 'yarn' })).toThrow(
      /supported rope types: default, linear, llama3/,
    );
    expect(() => parseRopeScaling({ ...LLAMA31, low_freq_factor: undefined })).toThrow(ConfigError);
    expect(() => parseRopeScaling({ ...LLAMA31, high_freq_factor: 0.5 })).toThrow(/high_freq_factor/);
  });
});
