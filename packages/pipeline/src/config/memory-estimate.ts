import { ConfigError } from '@ocrm/core';
import { type ModelConfig, paramCount, parseHfConfig } from '@ocrm/models';
import { resolvePpoConfig } from '@ocrm/ppo';
import type { PipelineConfig } from './schema';

/** The tfjs-wasm heap is one 32-bit WebAssembly memory: 4 GiB at most. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;

/** An estimate of the peak memory of the heaviest stage (PPO), in bytes, with its parts. */
export interface MemoryEstimate {
  bytes: number;
  /** Parameters of the policy (with the LM head) and of the reward model / critic (with the score head). */
  policyParams: number;
  rewardParams: number;
  /** Weights, AdamW moments and gradients of every model PPO holds. */
  modelBytes: number;
  /** Activations kept for the backward pass of one micro-batch. */
  activationBytes: number;
}

/**
 * Peak memory of PPO (the stage that holds the most), float32: the trained policy and critic with gradients and
 * two AdamW moments each (4 copies), the frozen reference and reward model (1 copy each), and the activations of one
 * micro-batch's backward pass — per layer about 16·H floats a token (attention, MLP, norms) plus the heads' T²
 * attention scores, and the logits (2·V a token). A lower bound: tfjs temporaries come on top.
 */
export function estimatePpoMemory(
  model: ModelConfig,
  batch: { microBatchSize: number; sequenceLength: number },
): MemoryEstimate {
  const policyParams = paramCount(model, { lmHead: true, scoreHead: false });
  const rewardParams = paramCount(model, { lmHead: false, scoreHead: true });
  const modelBytes = 4 * (4 * policyParams + policyParams + 4 * rewardParams + rewardParams);
  const { microBatchSize: m, sequenceLength: t } = batch;
  const perToken = model.numLayers * (16 * model.hiddenSize + model.numHeads * t) + 2 * model.vocabSize;
  const activationBytes = 4 * m * t * perToken;
  return { bytes: modelBytes + activationBytes, policyParams, rewardParams, modelBytes, activationBytes };
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/**
 * Refuses, before any stage runs, a `scratch` or `local` model whose PPO stage cannot fit the wasm heap (the estimate
 * of {@link estimatePpoMemory} above 4 GiB), naming the fields to change. Other backends and Hub models (whose config
 * is only known after a download) are not checked here.
 */
export function checkModelFitsBackend(
  config: PipelineConfig,
  task: { tokenizer: { vocabSize: number }; maxPromptTokens: number; maxResponseTokens: number },
  backend: string,
  localConfig?: Record<string, unknown>,
): MemoryEstimate | undefined {
  if (backend !== 'wasm') return undefined;
  const json =
    config.model.source === 'scratch'
      ? { vocab_size: task.tokenizer.vocabSize, ...config.model.config }
      : config.model.source === 'local'
        ? localConfig
        : undefined;
  if (!json) return undefined;
  const model = parseHfConfig(json);
  const ppo = resolvePpoConfig(config.ppo);
  const estimate = estimatePpoMemory(model, {
    microBatchSize: Math.min(ppo.microBatchSize, ppo.rolloutBatchSize),
    sequenceLength: task.maxPromptTokens + task.maxResponseTokens,
  });
  if (estimate.bytes > WASM_HEAP_BYTES) {
    const field = config.model.source === 'scratch' ? 'model.config' : 'model.path';
    throw new ConfigError(
      field,
      `the model needs at least ${gib(estimate.bytes)} in PPO (${(estimate.policyParams / 1e6).toFixed(1)}M ` +
        `parameters: ${gib(estimate.modelBytes)} for weights, gradients and AdamW moments of policy, reference, ` +
        `reward model and critic; ${gib(estimate.activationBytes)} of activations for ppo.microBatchSize ` +
        `${ppo.microBatchSize}), more than the wasm backend's 4 GiB heap.`,
      {
        hint:
          'make the model smaller (hidden_size, num_hidden_layers, intermediate_size), lower ppo.microBatchSize, ' +
          'or use the native backend (--backend node-gpu / node, docs: README "Requirements and backends").',
      },
    );
  }
  return estimate;
}
