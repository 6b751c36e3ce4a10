import { OcrmError, type Task } from '@ocrm/core';
import { downloadModel, hubOptionsFromEnv } from '@ocrm/data';
import { createModel, parseHfConfig } from '@ocrm/models';
import { CausalLMPolicy } from '@ocrm/policy';
import { ScalarRewardModel } from '@ocrm/reward-model';
import type { PipelineConfig } from '../config/schema';

/** Special ids of the task's tokenizer, as a policy needs them. */
export function tokenIds(task: Task) {
  return { eosId: task.tokenizer.eosId, padId: task.tokenizer.padId };
}

/**
 * The initial policy before SFT: a seeded model built from a partial `config.json` (`scratch`, vocabulary and
 * special ids from the task's tokenizer), a local Hugging Face folder, or a Hub repo (downloaded to the HF cache;
 * `signal` stops the download).
 */
export async function initialPolicy(
  config: PipelineConfig,
  task: Task,
  signal?: AbortSignal,
): Promise<CausalLMPolicy> {
  const model = config.model;
  const ids = tokenIds(task);
  if (model.source === 'scratch') {
    const json = {
      vocab_size: task.tokenizer.vocabSize,
      eos_token_id: task.tokenizer.eosId,
      pad_token_id: task.tokenizer.padId,
      bos_token_id: task.tokenizer.bosId ?? task.tokenizer.eosId,
      ...model.config,
    };
    return CausalLMPolicy.fromModel(createModel(parseHfConfig(json), { seed: config.seed }), ids);
  }
  if (model.source === 'local') {
    try {
      return await CausalLMPolicy.load(model.path, ids);
    } catch (cause) {
      // Keep the real cause in the message (a truncated file, a lying header, bad offsets) and its error code.
      const reason = (cause as Error).message ?? String(cause);
      throw new OcrmError(
        OcrmError.isInstance(cause) ? cause.code : 'NOT_FOUND',
        `Cannot load the model folder ${model.path}: ${reason}`,
        {
          cause,
          hint: 'model.path must hold config.json and model.safetensors (the Hugging Face layout).',
        },
      );
    }
  }
  const { dir } = await downloadModel(model.repo, {
    ...hubOptionsFromEnv(),
    revision: model.revision,
    signal,
    // An architecture this package cannot run fails before any weight is downloaded.
    checkConfig: (json) => {
      parseHfConfig(json);
    },
  });
  return CausalLMPolicy.load(dir, ids);
}

/** Loads a saved policy (trainable unless `frozen`). */
export function loadPolicy(dir: string, task: Task, frozen = false): Promise<CausalLMPolicy> {
  return CausalLMPolicy.load(dir, { ...tokenIds(task), frozen });
}

/** Loads a trained reward model (frozen unless `trainable`). */
export function loadRewardModel(dir: string, trainable = false): Promise<ScalarRewardModel> {
  return ScalarRewardModel.load(dir, { frozen: !trainable });
}
