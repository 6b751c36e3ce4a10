/**
 * @packageDocumentation
 * Decoder-only transformer backbones (GPT-NeoX/Pythia, GPT-2, Qwen2/Llama) in TensorFlow.js with exact parity to
 * Hugging Face transformers: load/save the Hub layout, forward with LM and scalar heads, KV-cached decoding.
 */
export {
  type Activation,
  type ModelConfig,
  type ModelType,
  parseHfConfig,
  resolveModelConfig,
} from './config';
export { type CreateModelOptions, createModel } from './create-model';
export { hfArchitecture, tinyModelConfig, toHfConfig } from './hf-config';
export { createKvCache, KvCache } from './kv-cache';
export { LM_HEAD_CHUNK_ELEMENTS, lmHeadLogits } from './lm-head';
export { type LoadModelOptions, loadModel } from './load-model';
export { type ForwardInput, type ForwardOutput, type IntMatrix, TransformerModel } from './model';
export { createModelReplica, type ModelReplicaSpec, modelReplicaSpec } from './model-replica';
export { type HeadOptions, type ParamSpec, type ParamTransform, paramCount } from './param-layout';
export { parseRopeScaling, ROPE_TYPES, type RopeScaling, ropeInverseFrequencies } from './rope';
export { type SaveModelOptions, saveModel } from './save-model';
