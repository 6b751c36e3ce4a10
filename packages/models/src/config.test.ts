import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OcrmError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { parseHfConfig } from './config';
import { tinyModelConfig, toHfConfig } from './hf-config';
import { FIXTURES } from './test-support/fixtures';

const fixtureConfig = (name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, name, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('parseHfConfig', () => {
  it('reads transformers-5 rope_parameters (GPT-NeoX fixture)', () => {
    const c = parseHfConfig(fixtureConfig('gpt-neox-tiny'));
    expect(c).toMatchObject({
      modelType: 'gpt_neox',
      hiddenSize: 64,
      numHeads: 4,
      headDim: 16,
      rotaryDim: 4,
      ropeTheta: 10000,
      parallelResidual: true,
      tieWordEmbeddings: false,
      activation: 'gelu',
      padTokenId: null,
      eosTokenId: 2,
    });
  });

  it('reads the older Pythia keys rotary_pct / rotary_emb_base', () => {
    const json = fixtureConfig('gpt-neox-tiny');
    delete json.rope_parameters;
    const c = parseHfConfig({
      ...json,
      rotary_pct: 0.5,
      rotary_emb_base: 5000,
      use_parallel_residual: false,
    });
    expect(c).toMatchObject({ rotaryDim: 8, ropeTheta: 5000, parallelResidual: false });
  });

  it('reads Qwen2 with top-level rope_theta and GQA; GPT-2 defaults', () => {
    const json = fixtureConfig('qwen2-tiny');
    delete json.rope_parameters;
    const q = parseHfConfig({ ...json, rope_theta: 1000000 });
    expect(q).toMatchObject({
      numKvHeads: 2,
      ropeTheta: 1000000,
      qkvBias: true,
      outBias: false,
      tieWordEmbeddings: true,
    });
    const g = parseHfConfig(fixtureConfig('gpt2-tiny'));
    expect(g).toMatchObject({
      positions: 'learned',
      intermediateSize: 256,
      activation: 'gelu_new',
      maxPositions: 128,
    });
  });

  it('reads Qwen3: q/k norm, no q/k/v bias by default, head_dim as given or 128 (transformers’ default)', () => {
    const json = fixtureConfig('qwen3-tiny');
    expect(parseHfConfig(json)).toMatchObject({
      modelType: 'qwen3',
      headDim: 32,
      numKvHeads: 2,
      qkvBias: false,
      outBias: false,
      qkNorm: true,
      tieWordEmbeddings: true,
    });
    const { head_dim: _headDim, ...noHeadDim } = json;
    expect(parseHfConfig(noHeadDim).headDim).toBe(128);
    expect(parseHfConfig({ ...json, attention_bias: true })).toMatchObject({ qkvBias: true, outBias: true });
    expect(parseHfConfig(fixtureConfig('qwen2-tiny')).qkNorm).toBeUndefined();
  });

  it('names an unsupported model_type or option', () => {
    expect(() => parseHfConfig({ model_type: 'mamba' })).toThrow(/model_type `mamba`/);
    const llama3 = {
      ...fixtureConfig('qwen2-tiny'),
      rope_parameters: { rope_type: 'llama3', rope_theta: 1 },
    };
    expect(() => parseHfConfig(llama3)).toThrow(/rope type `llama3`/);
    try {
      parseHfConfig({ model_type: 'gpt2' });
    } catch (error) {
      expect(OcrmError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
    }
  });

  it('round-trips through toHfConfig for every architecture', () => {
    for (const type of ['gpt_neox', 'gpt2', 'llama', 'qwen2', 'qwen3'] as const) {
      const c = tinyModelConfig(type);
      const json = toHfConfig(c);
      expect(json.pad_token_id).toBe(0);
      expect(parseHfConfig(json)).toEqual(c);
    }
  });
});
