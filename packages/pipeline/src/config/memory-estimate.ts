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

/**
 * Peak memory of SFT, float32: the policy with gradients and two AdamW moments (4 copies), and one micro-batch's
 * activations — per layer as in {@link estimatePpoMemory}, plus 3·V a token for the logits, their log-softmax and
 * its gradient (the full `[B, T, V]` tensors exist at once). With a 50k vocabulary the logits dominate: 32 rows of
 * 566 tokens need ~10 GiB. A lower bound: tfjs temporaries come on top (the smoke preset on `tldr-mini` still runs
 * out of memory at 2 rows, cause not found yet), so passing this check does not promise a fit.
 */
export function estimateSftMemory(
  model: ModelConfig,
  batch: { microBatchSize: number; sequenceLength: number },
): MemoryEstimate {
  const policyParams = paramCount(model, { lmHead: true, scoreHead: false });
  const modelBytes = 4 * 4 * policyParams;
  const { microBatchSize: m, sequenceLength: t } = batch;
  const perToken = model.numLayers * (16 * model.hiddenSize + model.numHeads * t) + 3 * model.vocabSize;
  const activationBytes = 4 * m * t * perToken;
  return { bytes: modelBytes + activationBytes, policyParams, rewardParams: 0, modelBytes, activationBytes };
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/**
 * Refuses, before any stage runs, a `scratch` or `local` model whose SFT or PPO stage cannot fit the wasm heap (the
 * estimates of {@link estimateSftMemory} and {@link estimatePpoMemory} above 4 GiB), naming the fields to change.
 * Other backends and Hub models (whose config is only known after a download) are not checked here.
 * @returns the PPO estimate (the heavier in models), or undefined when nothing was checked.
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
  const field = config.model.source === 'scratch' ? 'model.config' : 'model.path';
  const sequenceLength = task.maxPromptTokens + task.maxResponseTokens;
  const ppo = resolvePpoConfig(config.ppo);
  const ppoEstimate = estimatePpoMemory(model, {
    microBatchSize: Math.min(ppo.microBatchSize, ppo.rolloutBatchSize),
    sequenceLength,
  });
  if (ppoEstimate.bytes > WASM_HEAP_BYTES) {
    throw new ConfigError(
      field,
      `the model needs at least ${gib(ppoEstimate.bytes)} in PPO (${(ppoEstimate.policyParams / 1e6).toFixed(1)}M ` +
        `parameters: ${gib(ppoEstimate.modelBytes)} for weights, gradients and AdamW moments of policy, reference, ` +
        `reward model and critic; ${gib(ppoEstimate.activationBytes)} of activations for ppo.microBatchSize ` +
        `${ppo.microBatchSize}), more than the wasm backend's 4 GiB heap.`,
      {
        hint:
          'make the model smaller (hidden_size, num_hidden_layers, intermediate_size), lower ppo.microBatchSize, ' +
          'or use the native backend (--backend node-gpu / node, docs: README "Requirements and backends").',
      },
    );
  }
  // The models fit (PPO holds more of them than SFT): SFT's activations are what can still overflow.
  if (config.sft.module === undefined) {
    const sft = config.sft;
    // A row is prompt, response and EOS, cut at maxSeqLength when set.
    const rowLength =
      sft.maxSeqLength > 0 ? Math.min(sft.maxSeqLength, sequenceLength + 1) : sequenceLength + 1;
    const estimate = estimateSftMemory(model, {
      microBatchSize: sft.microBatchSize,
      sequenceLength: rowLength,
    });
    if (estimate.bytes > WASM_HEAP_BYTES) {
      const rows = Math.floor(
        ((WASM_HEAP_BYTES - estimate.modelBytes) / estimate.activationBytes) * sft.microBatchSize,
      );
      // microBatchSize must divide batchSize: the largest divisor that fits.
      let fits = Math.min(rows, sft.batchSize);
      while (fits > 0 && sft.batchSize % fits !== 0) fits--;
      throw new ConfigError(
        'sft.microBatchSize',
        `SFT needs at least ${gib(estimate.bytes)} (${gib(estimate.activationBytes)} of activations for ` +
          `${sft.microBatchSize} rows of up to ${rowLength} tokens with a ${model.vocabSize}-token vocabulary; ` +
          `${gib(estimate.modelBytes)} for weights, gradients and AdamW moments), more than the wasm backend's 4 GiB heap.`,
        {
          hint:
            (fits > 0
              ? `lower sft.microBatchSize to ${fits} or less (a divisor of sft.batchSize, which stays the effective ` +
                'batch; the estimate is a lower bound, tfjs temporaries come on top), '
              : 'not even one row fits: ') +
            'set sft.maxSeqLength, shorten the task (task.options.maxPromptTokens), or use the native backend.',
        },
      );
    }
  }
  return ppoEstimate;
}
