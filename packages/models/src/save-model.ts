/**
 * Saving a model in the Hugging Face layout (`config.json`, `model.safetensors`, `generation_config.json`).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type NamedVariables, type SafetensorsInput, writeJsonAtomic, writeSafetensors } from '@ocrm/core';
import type { ModelConfig } from './config';
import { internalToHf } from './convert';
import { toHfConfig } from './hf-config';
import type { ParamSpec } from './param-layout';

/** What {@link saveModel} reads of a model (`TransformerModel` has it; structural, so this file needs no model import). */
export interface SavableModel {
  readonly config: ModelConfig;
  readonly hfConfig?: Record<string, unknown>;
  readonly hasLmHead: boolean;
  readonly hasScoreHead: boolean;
  variables(): NamedVariables;
  paramSpecs(): readonly ParamSpec[];
}

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** Class written to `architectures` (default: `sequence-classification` for a score head without LM head). */
  head?: 'causal-lm' | 'sequence-classification';
  /** Extra `config.json` keys (e.g. a reward offset), written last. */
  extraConfig?: Record<string, unknown>;
}

/**
 * Writes `model` to `dir` (created if needed) with transformers' parameter names and layouts, so Python
 * `transformers` and {@link loadModel} read it back; `pad_token_id` is always written. Each file is written atomically.
 * A stale `model.safetensors.index.json` in `dir` is removed.
 */
export async function saveModel(
  model: SavableModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const variables = model.variables();
  const tensors: Record<string, SafetensorsInput> = {};
  for (const spec of model.paramSpecs()) {
    const hf = internalToHf(spec, variables[spec.hfName], model.config);
    tensors[spec.hfName] = { dtype: 'F32', shape: spec.hfShape, data: hf.dataSync() as Float32Array };
    hf.dispose();
  }
  await rm(join(dir, 'model.safetensors.index.json'), { force: true });
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const head =
    options.head ?? (model.hasScoreHead && !model.hasLmHead ? 'sequence-classification' : 'causal-lm');
  const base = { ...(model.hfConfig ?? {}) };
  delete base.transformers_version;
  if ('torch_dtype' in base) base.torch_dtype = 'float32';
  await writeJsonAtomic(join(dir, 'config.json'), {
    ...toHfConfig(model.config, { base, head }),
    ...(options.extraConfig ?? {}),
  });
  const c = model.config;
  await writeJsonAtomic(join(dir, 'generation_config.json'), {
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    pad_token_id: c.padTokenId,
  });
}
