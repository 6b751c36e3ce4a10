/**
 * Where each weight lives: the Hugging Face parameter name and layout of every tensor of every architecture, and
 * the internal layout the forward pass uses.
 *
 * Internally every projection is stored `[in, out]` (so the forward pass is plain untransposed 2-D matmuls, the fast
 * path of tfjs-wasm); PyTorch `nn.Linear` stores `[out, in]`, GPT-2's `Conv1D` already stores `[in, out]`. GPT-NeoX's
 * fused `query_key_value` interleaves q/k/v per head; internally its columns are grouped `[q heads | k heads | v heads]`.
 */
import type { ModelConfig } from './config';

/** How a Hugging Face tensor maps to the internal one. */
export type ParamTransform = 'none' | 'transpose' | 'neox-qkv-weight' | 'neox-qkv-bias';

/** Initialisation used by `createModel` (and for an absent score head). */
export type ParamInit = 'normal' | 'normal-residual' | 'zeros' | 'ones' | 'score';

/** One parameter: internal key, Hugging Face name, shapes, conversion and initialisation. */
export interface ParamSpec {
  /** Internal key used by the forward pass (`h0.qkv.w`, `embed`, `score`, ...). */
  key: string;
  /** Full Hugging Face parameter name (`gpt_neox.layers.0.attention.query_key_value.weight`). */
  hfName: string;
  /** Prefix that base-model checkpoints omit (`gpt_neox.`, `transformer.`, `model.`), or '' . */
  prefix: string;
  /** Internal shape. */
  shape: number[];
  /** Shape in the Hugging Face file. */
  hfShape: number[];
  transform: ParamTransform;
  init: ParamInit;
}

/** Which heads a model carries. */
export interface HeadOptions {
  /** Include the LM head weight (ignored when tied: the embedding is the head). */
  lmHead: boolean;
  /** Include the scalar `score.weight` head. */
  scoreHead: boolean;
}

class Builder {
  readonly specs: ParamSpec[] = [];
  constructor(private readonly prefix: string) {}
  add(
    key: string,
    name: string,
    shape: number[],
    transform: ParamTransform,
    init: ParamInit,
    prefixed = true,
  ): void {
    const hfShape =
      transform === 'transpose'
        ? [...shape].reverse()
        : transform === 'neox-qkv-weight'
          ? [shape[1], shape[0]]
          : shape;
    const prefix = prefixed ? this.prefix : '';
    this.specs.push({ key, hfName: prefix + name, prefix, shape, hfShape, transform, init });
  }
  /** A linear layer `[in, out]` with optional bias. */
  linear(
    key: string,
    name: string,
    inDim: number,
    outDim: number,
    bias: boolean,
    transform: ParamTransform,
    init: ParamInit = 'normal',
  ): void {
    this.add(`${key}.w`, `${name}.weight`, [inDim, outDim], transform, init);
    if (bias)
      this.add(
        `${key}.b`,
        `${name}.bias`,
        [outDim],
        transform === 'neox-qkv-weight' ? 'neox-qkv-bias' : 'none',
        'zeros',
      );
  }
  norm(key: string, name: string, dim: number, bias: boolean): void {
    this.add(`${key}.w`, `${name}.weight`, [dim], 'none', 'ones');
    if (bias) this.add(`${key}.b`, `${name}.bias`, [dim], 'none', 'zeros');
  }
}

function gptNeox(c: ModelConfig, b: Builder): void {
  const H = c.hiddenSize;
  b.add('embed', 'embed_in.weight', [c.vocabSize, H], 'none', 'normal');
  for (let i = 0; i < c.numLayers; i++) {
    const p = `layers.${i}.`;
    b.norm(`h${i}.ln1`, `${p}input_layernorm`, H, true);
    b.norm(`h${i}.ln2`, `${p}post_attention_layernorm`, H, true);
    b.linear(`h${i}.qkv`, `${p}attention.query_key_value`, H, 3 * H, c.qkvBias, 'neox-qkv-weight');
    b.linear(`h${i}.o`, `${p}attention.dense`, H, H, c.outBias, 'transpose');
    b.linear(`h${i}.up`, `${p}mlp.dense_h_to_4h`, H, c.intermediateSize, c.mlpBias, 'transpose');
    b.linear(`h${i}.down`, `${p}mlp.dense_4h_to_h`, c.intermediateSize, H, c.mlpBias, 'transpose');
  }
  b.norm('ln_f', 'final_layer_norm', H, true);
}

function gpt2(c: ModelConfig, b: Builder): void {
  const H = c.hiddenSize;
  b.add('embed', 'wte.weight', [c.vocabSize, H], 'none', 'normal');
  b.add('pos_embed', 'wpe.weight', [c.maxPositions, H], 'none', 'normal');
  for (let i = 0; i < c.numLayers; i++) {
    const p = `h.${i}.`;
    b.norm(`h${i}.ln1`, `${p}ln_1`, H, true);
    b.linear(`h${i}.qkv`, `${p}attn.c_attn`, H, 3 * H, true, 'none');
    b.linear(`h${i}.o`, `${p}attn.c_proj`, H, H, true, 'none', 'normal-residual');
    b.norm(`h${i}.ln2`, `${p}ln_2`, H, true);
    b.linear(`h${i}.up`, `${p}mlp.c_fc`, H, c.intermediateSize, true, 'none');
    b.linear(`h${i}.down`, `${p}mlp.c_proj`, c.intermediateSize, H, true, 'none', 'normal-residual');
  }
  b.norm('ln_f', 'ln_f', H, true);
}

function llamaFamily(c: ModelConfig, b: Builder): void {
  const H = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  b.add('embed', 'embed_tokens.weight', [c.vocabSize, H], 'none', 'normal');
  for (let i = 0; i < c.numLayers; i++) {
    const p = `layers.${i}.`;
    b.norm(`h${i}.ln1`, `${p}input_layernorm`, H, false);
    b.linear(`h${i}.q`, `${p}self_attn.q_proj`, H, q, c.qkvBias, 'transpose');
    b.linear(`h${i}.k`, `${p}self_attn.k_proj`, H, kv, c.qkvBias, 'transpose');
    b.linear(`h${i}.v`, `${p}self_attn.v_proj`, H, kv, c.qkvBias, 'transpose');
    b.linear(`h${i}.o`, `${p}self_attn.o_proj`, q, H, c.outBias, 'transpose');
    if (c.qkNorm) {
      b.norm(`h${i}.qn`, `${p}self_attn.q_norm`, c.headDim, false);
      b.norm(`h${i}.kn`, `${p}self_attn.k_norm`, c.headDim, false);
    }
    b.norm(`h${i}.ln2`, `${p}post_attention_layernorm`, H, false);
    b.linear(`h${i}.gate`, `${p}mlp.gate_proj`, H, c.intermediateSize, c.mlpBias, 'transpose');
    b.linear(`h${i}.up`, `${p}mlp.up_proj`, H, c.intermediateSize, c.mlpBias, 'transpose');
    b.linear(`h${i}.down`, `${p}mlp.down_proj`, c.intermediateSize, H, c.mlpBias, 'transpose');
  }
  b.norm('ln_f', 'norm', H, false);
}

const PREFIX = {
  gpt_neox: 'gpt_neox.',
  gpt2: 'transformer.',
  llama: 'model.',
  qwen2: 'model.',
  qwen3: 'model.',
} as const;
const LM_HEAD_NAME = {
  gpt_neox: 'embed_out.weight',
  gpt2: 'lm_head.weight',
  llama: 'lm_head.weight',
  qwen2: 'lm_head.weight',
  qwen3: 'lm_head.weight',
} as const;

/**
 * Every parameter of a model with this config and these heads, in a fixed order (embeddings, layers, final norm,
 * LM head, score head). The keys of `TransformerModel.variables()` are the `hfName`s in this order.
 */
export function paramLayout(config: ModelConfig, heads: HeadOptions): ParamSpec[] {
  const b = new Builder(PREFIX[config.modelType]);
  if (config.modelType === 'gpt_neox') gptNeox(config, b);
  else if (config.modelType === 'gpt2') gpt2(config, b);
  else llamaFamily(config, b);
  if (heads.lmHead && !config.tieWordEmbeddings) {
    b.add(
      'lm_head',
      LM_HEAD_NAME[config.modelType],
      [config.hiddenSize, config.vocabSize],
      'transpose',
      'normal',
      false,
    );
  }
  if (heads.scoreHead) b.add('score', 'score.weight', [config.hiddenSize, 1], 'transpose', 'score', false);
  return b.specs;
}

/** Number of parameters of a model (with the heads in `heads`), e.g. for memory estimates. */
export function paramCount(config: ModelConfig, heads: HeadOptions): number {
  return paramLayout(config, heads).reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1), 0);
}
