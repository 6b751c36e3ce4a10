/**
 * The normalised model configuration and its translation from / to Hugging Face `config.json`.
 */
import { ConfigError, UnsupportedError } from '@ocrm/core';
import { parseRopeScaling, type RopeScaling } from './rope';

/** Architectures this package implements (Hugging Face `model_type`). */
export type ModelType = 'gpt_neox' | 'gpt2' | 'llama' | 'qwen2' | 'qwen3';

/** Element-wise MLP activation (Hugging Face names: `gelu` = erf GELU, `gelu_new` = tanh approximation). */
export type Activation = 'gelu' | 'gelu_new' | 'relu' | 'silu';

/**
 * A decoder-only transformer, normalised across architectures. Plain data (JSON-serialisable).
 * `headDim * numHeads` need not equal `hiddenSize` (Llama's `head_dim`).
 */
export interface ModelConfig {
  modelType: ModelType;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** Key/value heads (grouped-query attention); equals `numHeads` without GQA. */
  numKvHeads: number;
  headDim: number;
  /** MLP inner width. */
  intermediateSize: number;
  /** Longest sequence (size of GPT-2's position table; informational for rotary models). */
  maxPositions: number;
  norm: 'layernorm' | 'rmsnorm';
  normEps: number;
  activation: Activation;
  /** `gated` = SwiGLU-style `down(act(gate(x)) * up(x))` (Llama family); `standard` = `down(act(up(x)))`. */
  mlp: 'standard' | 'gated';
  /** `rotary` (GPT-NeoX, Llama family) or `learned` absolute positions (GPT-2). */
  positions: 'rotary' | 'learned';
  /** Number of rotated dimensions per head (even; `headDim` = full rotary). */
  rotaryDim: number;
  ropeTheta: number;
  /** Scaling of the rotary frequencies (`llama3`, `linear`); absent = none (transformers' `default`). */
  ropeScaling?: RopeScaling;
  /** GPT-NeoX parallel residual: `x + attn(ln1(x)) + mlp(ln2(x))`. */
  parallelResidual: boolean;
  /** Biases on the query/key/value projections. */
  qkvBias: boolean;
  /**
   * Qwen3's q/k norm: an RMSNorm (weights `q_norm`, `k_norm` [headDim]) over each head's query and key after the
   * projection and before rotary. Absent = false.
   */
  qkNorm?: boolean;
  /** Bias on the attention output projection. */
  outBias: boolean;
  /** Biases on the MLP projections. */
  mlpBias: boolean;
  /** LM head shares the token-embedding matrix. */
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
  /** Std of the normal initialisation of `createModel` (Hugging Face `initializer_range`). */
  initializerRange: number;
}

type Json = Record<string, unknown>;

function num(json: Json, keys: string[], fallback?: number): number {
  for (const key of keys) {
    const value = json[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  if (fallback !== undefined) return fallback;
  throw new ConfigError(keys[0], `missing in config.json (a number is required)`);
}

function tokenId(json: Json, key: string): number | number[] | null {
  const value = json[key];
  if (typeof value === 'number' || (Array.isArray(value) && value.every((v) => typeof v === 'number'))) {
    return value as number | number[];
  }
  return null;
}

/** The rope object of a config (`rope_parameters`, transformers 5, or `rope_scaling`), checked by `parseRopeScaling`. */
function ropeParameters(json: Json): Json {
  const rope = json.rope_parameters ?? json.rope_scaling;
  if (rope && typeof rope === 'object') {
    parseRopeScaling(rope as Json);
    return rope as Json;
  }
  return {};
}

/** `{ ropeScaling }` when the rope object scales the frequencies, else nothing (the key stays absent). */
function scalingOf(rope: Json): Pick<ModelConfig, 'ropeScaling'> {
  const scaling = parseRopeScaling(rope);
  return scaling ? { ropeScaling: scaling } : {};
}

function activation(value: unknown, path: string): Activation {
  switch (value) {
    case 'gelu':
      return 'gelu';
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return 'gelu_new';
    case 'relu':
      return 'relu';
    case 'silu':
    case 'swish':
      return 'silu';
    default:
      throw new UnsupportedError(`activation \`${String(value)}\` (config \`${path}\`) is not supported`, {
        hint: 'supported: gelu, gelu_new, gelu_pytorch_tanh, relu, silu',
      });
  }
}

function common(
  json: Json,
): Pick<ModelConfig, 'bosTokenId' | 'eosTokenId' | 'padTokenId' | 'initializerRange'> {
  const pad = tokenId(json, 'pad_token_id');
  return {
    bosTokenId: tokenId(json, 'bos_token_id') as number | null,
    eosTokenId: tokenId(json, 'eos_token_id'),
    padTokenId: Array.isArray(pad) ? pad[0] : pad,
    initializerRange: num(json, ['initializer_range'], 0.02),
  };
}

function parseGptNeox(json: Json): ModelConfig {
  const rope = ropeParameters(json);
  const hiddenSize = num(json, ['hidden_size']);
  const numHeads = num(json, ['num_attention_heads']);
  const headDim = hiddenSize / numHeads;
  const pct = num(rope, ['partial_rotary_factor'], num(json, ['rotary_pct', 'partial_rotary_factor'], 1));
  const bias = json.attention_bias !== false;
  return {
    modelType: 'gpt_neox',
    vocabSize: num(json, ['vocab_size']),
    hiddenSize,
    numLayers: num(json, ['num_hidden_layers']),
    numHeads,
    numKvHeads: numHeads,
    headDim,
    intermediateSize: num(json, ['intermediate_size'], 4 * hiddenSize),
    maxPositions: num(json, ['max_position_embeddings'], 2048),
    norm: 'layernorm',
    normEps: num(json, ['layer_norm_eps'], 1e-5),
    activation: activation(json.hidden_act ?? 'gelu', 'hidden_act'),
    mlp: 'standard',
    positions: 'rotary',
    rotaryDim: Math.floor(headDim * pct),
    ropeTheta: num(rope, ['rope_theta'], num(json, ['rotary_emb_base', 'rope_theta'], 10000)),
    ...scalingOf(rope),
    parallelResidual: json.use_parallel_residual !== false,
    qkvBias: bias,
    outBias: bias,
    mlpBias: true,
    tieWordEmbeddings: json.tie_word_embeddings === true,
    ...common(json),
  };
}

function parseGpt2(json: Json): ModelConfig {
  if (json.scale_attn_by_inverse_layer_idx === true) {
    throw new UnsupportedError('GPT-2 option `scale_attn_by_inverse_layer_idx` is not supported');
  }
  if (json.scale_attn_weights === false) {
    throw new UnsupportedError('GPT-2 option `scale_attn_weights: false` is not supported');
  }
  const hiddenSize = num(json, ['n_embd', 'hidden_size']);
  const numHeads = num(json, ['n_head', 'num_attention_heads']);
  return {
    modelType: 'gpt2',
    vocabSize: num(json, ['vocab_size']),
    hiddenSize,
    numLayers: num(json, ['n_layer', 'num_hidden_layers']),
    numHeads,
    numKvHeads: numHeads,
    headDim: hiddenSize / numHeads,
    intermediateSize: num(json, ['n_inner'], 4 * hiddenSize),
    maxPositions: num(json, ['n_positions', 'max_position_embeddings'], 1024),
    norm: 'layernorm',
    normEps: num(json, ['layer_norm_epsilon'], 1e-5),
    activation: activation(json.activation_function ?? 'gelu_new', 'activation_function'),
    mlp: 'standard',
    positions: 'learned',
    rotaryDim: 0,
    ropeTheta: 10000,
    parallelResidual: false,
    qkvBias: true,
    outBias: true,
    mlpBias: true,
    tieWordEmbeddings: json.tie_word_embeddings !== false,
    ...common(json),
  };
}

function parseLlamaFamily(json: Json, modelType: 'llama' | 'qwen2' | 'qwen3'): ModelConfig {
  if (json.use_sliding_window === true) {
    throw new UnsupportedError('sliding-window attention (`use_sliding_window: true`) is not supported');
  }
  const rope = ropeParameters(json);
  const hiddenSize = num(json, ['hidden_size']);
  const numHeads = num(json, ['num_attention_heads']);
  // Qwen3Config's head_dim defaults to 128 (transformers); the others derive it from the hidden size.
  const headDim = num(json, ['head_dim'], modelType === 'qwen3' ? 128 : hiddenSize / numHeads);
  const attentionBias = json.attention_bias === true;
  const pct = num(rope, ['partial_rotary_factor'], num(json, ['partial_rotary_factor'], 1));
  return {
    modelType,
    vocabSize: num(json, ['vocab_size']),
    hiddenSize,
    numLayers: num(json, ['num_hidden_layers']),
    numHeads,
    numKvHeads: num(json, ['num_key_value_heads'], numHeads),
    headDim,
    intermediateSize: num(json, ['intermediate_size']),
    maxPositions: num(json, ['max_position_embeddings'], 2048),
    norm: 'rmsnorm',
    normEps: num(json, ['rms_norm_eps'], 1e-6),
    activation: activation(json.hidden_act ?? 'silu', 'hidden_act'),
    mlp: 'gated',
    positions: 'rotary',
    rotaryDim: Math.floor(headDim * pct),
    ropeTheta: num(rope, ['rope_theta'], num(json, ['rope_theta'], 10000)),
    ...scalingOf(rope),
    parallelResidual: false,
    qkvBias: modelType === 'qwen2' ? json.attention_bias !== false : attentionBias,
    outBias: modelType === 'qwen2' ? false : attentionBias,
    ...(modelType === 'qwen3' ? { qkNorm: true } : {}),
    mlpBias: json.mlp_bias === true,
    tieWordEmbeddings: json.tie_word_embeddings === true,
    ...common(json),
  };
}

/**
 * Normalises a Hugging Face `config.json` object into a {@link ModelConfig}.
 *
 * Accepts older keys (`rotary_pct`, `rotary_emb_base`, top-level `rope_theta`) and transformers-5 keys
 * (`rope_parameters.partial_rotary_factor`, `rope_parameters.rope_theta`).
 * @throws UnsupportedError naming an unsupported `model_type` or option; ConfigError naming a missing field.
 */
export function parseHfConfig(json: Record<string, unknown>): ModelConfig {
  const type = json.model_type;
  let config: ModelConfig;
  switch (type) {
    case 'gpt_neox':
      config = parseGptNeox(json);
      break;
    case 'gpt2':
      config = parseGpt2(json);
      break;
    case 'llama':
    case 'qwen2':
    case 'qwen3':
      config = parseLlamaFamily(json, type);
      break;
    default:
      throw new UnsupportedError(`model_type \`${String(type)}\` is not supported`, {
        hint: 'supported: gpt_neox (Pythia), gpt2, llama, qwen2, qwen3',
      });
  }
  return resolveModelConfig(config);
}

/** Validates a complete {@link ModelConfig}; returns a frozen copy. Throws `ConfigError(path, …)`. */
export function resolveModelConfig(config: ModelConfig): ModelConfig {
  const positive = [
    'vocabSize',
    'hiddenSize',
    'numLayers',
    'numHeads',
    'numKvHeads',
    'headDim',
    'intermediateSize',
    'maxPositions',
  ] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) {
      throw new ConfigError(key, `must be a positive integer, got ${config[key]}`);
    }
  }
  if (config.numHeads % config.numKvHeads !== 0) {
    throw new ConfigError(
      'numKvHeads',
      `must divide numHeads (${config.numHeads}), got ${config.numKvHeads}`,
    );
  }
  if (config.positions === 'rotary' && (config.rotaryDim % 2 !== 0 || config.rotaryDim > config.headDim)) {
    throw new ConfigError(
      'rotaryDim',
      `must be even and ≤ headDim (${config.headDim}), got ${config.rotaryDim}`,
    );
  }
  if (!(config.normEps > 0)) throw new ConfigError('normEps', `must be > 0, got ${config.normEps}`);
  return Object.freeze({ ...config });
}
