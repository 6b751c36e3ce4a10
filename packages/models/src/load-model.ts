/**
 * Loading a Hugging Face folder (`config.json` + `model.safetensors` or a sharded index).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DataError,
  NotFoundError,
  readJson,
  readSafetensors,
  readSafetensorsHeader,
  type SafetensorsTensor,
  ShapeError,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { parseHfConfig } from './config';
import { hfToInternal } from './convert';
import { initParam } from './init';
import { TransformerModel } from './model';
import { type ParamSpec, paramLayout } from './param-layout';

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Whether `trainableVariables()` returns the weights (default true). */
  trainable?: boolean;
  /** Add a freshly initialised score head when the checkpoint has none (default false). */
  scoreHead?: boolean;
  /** Load the LM head (default: when present). `false` skips it (reward models); `true` requires it. */
  lmHead?: boolean;
  /** Seed of any initialised weight (the score head). Default 0. */
  seed?: number;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Tensor name → file, from the sharded index or the single file's header. */
async function weightFiles(dir: string): Promise<Map<string, string>> {
  const indexPath = join(dir, 'model.safetensors.index.json');
  const files = new Map<string, string>();
  if (await exists(indexPath)) {
    const index = await readJson<{ weight_map?: Record<string, string> }>(indexPath);
    if (!index.weight_map)
      throw new DataError('missing `weight_map`', { file: indexPath, field: 'weight_map' });
    for (const [name, file] of Object.entries(index.weight_map)) files.set(name, join(dir, file));
    return files;
  }
  const single = join(dir, 'model.safetensors');
  if (!(await exists(single))) {
    throw new NotFoundError(`no model.safetensors or model.safetensors.index.json in ${dir}`, {
      hint: 'only safetensors checkpoints are supported (convert pytorch_model.bin with transformers first)',
    });
  }
  for (const name of Object.keys((await readSafetensorsHeader(single)).tensors)) files.set(name, single);
  return files;
}

function fileName(files: Map<string, string>, spec: ParamSpec): string | undefined {
  if (files.has(spec.hfName)) return spec.hfName;
  const bare = spec.prefix ? spec.hfName.slice(spec.prefix.length) : undefined;
  return bare !== undefined && files.has(bare) ? bare : undefined;
}

/**
 * Loads a model saved by Python `transformers` (or by {@link saveModel}) from `dir`. Reads each tensor by byte range,
 * so files over 2 GiB work; F16/BF16 weights load as float32. Accepts checkpoints of the base model (names without
 * `gpt_neox.` / `transformer.` / `model.`) and `*ForSequenceClassification` checkpoints (`score.weight`).
 * The caller owns the model.
 * @throws NotFoundError (no weights, missing tensor), UnsupportedError (model type/option), ShapeError.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<TransformerModel> {
  const json = await readJson<Record<string, unknown>>(join(dir, 'config.json'));
  const config = parseHfConfig(json);
  const files = await weightFiles(dir);
  const probe = paramLayout(config, { lmHead: true, scoreHead: true });
  const lmSpec = probe.find((s) => s.key === 'lm_head');
  const hasLm = lmSpec !== undefined && fileName(files, lmSpec) !== undefined;
  if (options.lmHead === true && lmSpec && !hasLm) {
    throw new NotFoundError(`${lmSpec.hfName} is not in the checkpoint at ${dir}`);
  }
  const hasScore = files.has('score.weight');
  const specs = paramLayout(config, {
    lmHead: hasLm && options.lmHead !== false,
    scoreHead: hasScore || options.scoreHead === true,
  });
  const byFile = new Map<string, string[]>();
  for (const spec of specs) {
    const name = fileName(files, spec);
    if (name === undefined) {
      if (spec.key === 'score') continue;
      throw new NotFoundError(`weight \`${spec.hfName}\` is missing from the checkpoint at ${dir}`);
    }
    const file = files.get(name)!;
    byFile.set(file, [...(byFile.get(file) ?? []), name]);
  }
  const host: Record<string, SafetensorsTensor> = {};
  for (const [file, names] of byFile) Object.assign(host, await readSafetensors(file, { names }));
  const params = new Map<string, tf.Variable>();
  try {
    for (const spec of specs) {
      const name = fileName(files, spec);
      const value =
        name === undefined
          ? initParam(spec, config, options.seed ?? 0)
          : toInternal(spec, host[name], config);
      params.set(spec.key, tf.variable(value));
      value.dispose();
    }
  } catch (error) {
    for (const v of params.values()) v.dispose();
    throw error;
  }
  return new TransformerModel(config, params, { trainable: options.trainable ?? true, hfConfig: json });
}

function toInternal(
  spec: ParamSpec,
  tensor: SafetensorsTensor,
  config: ReturnType<typeof parseHfConfig>,
): tf.Tensor {
  if (tensor.shape.join(',') !== spec.hfShape.join(',')) {
    throw new ShapeError(`weight \`${spec.hfName}\` has shape [${tensor.shape}], expected [${spec.hfShape}]`);
  }
  if (!(tensor.data instanceof Float32Array)) {
    throw new DataError(`weight \`${spec.hfName}\` must be a float tensor, got ${tensor.dtype}`);
  }
  return tf.tidy(() => hfToInternal(spec, tf.tensor(tensor.data as Float32Array, tensor.shape), config));
}
