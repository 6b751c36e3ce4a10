/**
 * Writing a {@link ModelConfig} back as a Hugging Face `config.json` object, and the tiny-config factory for tests.
 */
import { ConfigError } from '@ocrm/core';
import { type ModelConfig, type ModelType, resolveModelConfig } from './config';
import { ropeScalingToHf } from './rope';

const ARCHITECTURE_PREFIX: Readonly<Record<ModelType, string>> = {
  gpt_neox: 'GPTNeoX',
  gpt2: 'GPT2',
  llama: 'Llama',
  qwen2: 'Qwen2',
  qwen3: 'Qwen3',
};

/** Hugging Face class name for a model type and head kind (`GPTNeoXForCausalLM`, `GPT2LMHeadModel`, ...). */
export function hfArchitecture(type: ModelType, head: 'causal-lm' | 'sequence-classification'): string {
  if (head === 'sequence-classification') return `${ARCHITECTURE_PREFIX[type]}ForSequenceClassification`;
  return type === 'gpt2' ? 'GPT2LMHeadModel' : `${ARCHITECTURE_PREFIX[type]}ForCausalLM`;
}

function hfActivation(config: ModelConfig): string {
  if (config.activation === 'gelu_new' && config.modelType !== 'gpt2') return 'gelu_new';
  return config.activation;
}

function architectureKeys(c: ModelConfig): Record<string, unknown> {
  const rope = { ...ropeScalingToHf(c.ropeScaling), rope_theta: c.ropeTheta };
  switch (c.modelType) {
    case 'gpt_neox':
      return {
        hidden_size: c.hiddenSize,
        num_hidden_layers: c.numLayers,
        num_attention_heads: c.numHeads,
        intermediate_size: c.intermediateSize,
        max_position_embeddings: c.maxPositions,
        layer_norm_eps: c.normEps,
        hidden_act: hfActivation(c),
        use_parallel_residual: c.parallelResidual,
        attention_bias: c.qkvBias,
        // Both spellings: transformers 4 reads rotary_pct / rotary_emb_base, transformers 5 rope_parameters.
        rotary_pct: c.rotaryDim / c.headDim,
        rotary_emb_base: c.ropeTheta,
        rope_parameters: { ...rope, partial_rotary_factor: c.rotaryDim / c.headDim },
      };
    case 'gpt2':
      return {
        n_embd: c.hiddenSize,
        n_layer: c.numLayers,
        n_head: c.numHeads,
        n_inner: c.intermediateSize === 4 * c.hiddenSize ? null : c.intermediateSize,
        n_positions: c.maxPositions,
        layer_norm_epsilon: c.normEps,
        activation_function: hfActivation(c),
        scale_attn_weights: true,
        attn_pdrop: 0,
        embd_pdrop: 0,
        resid_pdrop: 0,
      };
    case 'llama':
    case 'qwen2':
    case 'qwen3':
      return {
        hidden_size: c.hiddenSize,
        num_hidden_layers: c.numLayers,
        num_attention_heads: c.numHeads,
        num_key_value_heads: c.numKvHeads,
        head_dim: c.headDim,
        intermediate_size: c.intermediateSize,
        max_position_embeddings: c.maxPositions,
        rms_norm_eps: c.normEps,
        hidden_act: hfActivation(c),
        rope_theta: c.ropeTheta,
        rope_parameters: rope,
        // transformers 4 reads the scaling from `rope_scaling`.
        ...(c.ropeScaling ? { rope_scaling: rope } : {}),
        ...(c.modelType === 'llama' ? { attention_bias: c.qkvBias, mlp_bias: c.mlpBias } : {}),
        ...(c.modelType === 'qwen3' ? { attention_bias: c.qkvBias } : {}),
        ...(c.modelType === 'qwen2' || c.modelType === 'qwen3'
          ? { use_sliding_window: false, sliding_window: null }
          : {}),
      };
  }
}

/**
 * A Hugging Face `config.json` object for `config`. Keys of `base` (the loaded `config.json`) that this package does
 * not model are kept; the modelled ones are overwritten. `pad_token_id` is always written.
 */
export function toHfConfig(
  config: ModelConfig,
  options: { base?: Record<string, unknown>; head?: 'causal-lm' | 'sequence-classification' } = {},
): Record<string, unknown> {
  const head = options.head ?? 'causal-lm';
  const out: Record<string, unknown> = {
    ...(options.base ?? {}),
    architectures: [hfArchitecture(config.modelType, head)],
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    ...architectureKeys(config),
    tie_word_embeddings: config.tieWordEmbeddings,
    initializer_range: config.initializerRange,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    pad_token_id: config.padTokenId,
    dtype: 'float32',
  };
  if (head === 'sequence-classification') {
    out.num_labels = 1;
    out.id2label = { 0: 'LABEL_0' };
    out.label2id = { LABEL_0: 0 };
  }
  return out;
}

/** Base configurations of {@link tinyModelConfig} (vocab 64, d 32, 2 layers, 4 heads). */
const TINY: Readonly<Record<ModelType, ModelConfig>> = (() => {
  const shared = {
    vocabSize: 64,
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 4,
    headDim: 8,
    intermediateSize: 64,
    maxPositions: 128,
    normEps: 1e-5,
    ropeTheta: 10000,
    bosTokenId: 1,
    eosTokenId: 2,
    padTokenId: 0,
    initializerRange: 0.02,
  };
  const qwen2: ModelConfig = {
    ...shared,
    modelType: 'qwen2',
    numKvHeads: 2,
    norm: 'rmsnorm',
    normEps: 1e-6,
    activation: 'silu',
    mlp: 'gated',
    positions: 'rotary',
    rotaryDim: 8,
    parallelResidual: false,
    qkvBias: true,
    outBias: false,
    mlpBias: false,
    tieWordEmbeddings: true,
  };
  return {
    gpt_neox: {
      ...shared,
      modelType: 'gpt_neox',
      norm: 'layernorm',
      activation: 'gelu',
      mlp: 'standard',
      positions: 'rotary',
      rotaryDim: 4,
      parallelResidual: true,
      qkvBias: true,
      outBias: true,
      mlpBias: true,
      tieWordEmbeddings: false,
    },
    gpt2: {
      ...shared,
      modelType: 'gpt2',
      norm: 'layernorm',
      activation: 'gelu_new',
      mlp: 'standard',
      positions: 'learned',
      rotaryDim: 0,
      parallelResidual: false,
      qkvBias: true,
      outBias: true,
      mlpBias: true,
      tieWordEmbeddings: true,
    },
    llama: {
      ...shared,
      modelType: 'llama',
      norm: 'rmsnorm',
      normEps: 1e-6,
      activation: 'silu',
      mlp: 'gated',
      positions: 'rotary',
      rotaryDim: 8,
      parallelResidual: false,
      qkvBias: false,
      outBias: false,
      mlpBias: false,
      tieWordEmbeddings: false,
    },
    qwen2,
    // Qwen3: Qwen2 without q/k/v biases, with the q/k norm.
    qwen3: { ...qwen2, modelType: 'qwen3', qkvBias: false, qkNorm: true },
  };
})();

/**
 * A small, valid {@link ModelConfig} for tests (vocab 64, d 32, 2 layers, 4 heads, pad 0 / bos 1 / eos 2), with
 * `overrides` applied. When `hiddenSize` or `numHeads` change, `headDim` (and a full `rotaryDim`) follow unless given.
 * @example
 * const model = createModel(tinyModelConfig('gpt_neox', { vocabSize: 32 }), { seed: 1 });
 */
export function tinyModelConfig(type: ModelType, overrides: Partial<ModelConfig> = {}): ModelConfig {
  const base = TINY[type];
  if (!base) throw new ConfigError('modelType', `unknown model type \`${String(type)}\``);
  const hiddenSize = overrides.hiddenSize ?? base.hiddenSize;
  const numHeads = overrides.numHeads ?? base.numHeads;
  const headDim = overrides.headDim ?? hiddenSize / numHeads;
  const rotaryDim =
    overrides.rotaryDim ??
    (base.positions === 'learned' ? 0 : base.modelType === 'gpt_neox' ? headDim / 2 : headDim);
  return resolveModelConfig({
    ...base,
    intermediateSize: 2 * hiddenSize,
    numKvHeads: base.modelType === 'qwen2' || base.modelType === 'qwen3' ? numHeads / 2 : numHeads,
    ...overrides,
    headDim,
    rotaryDim,
    modelType: type,
  });
}
