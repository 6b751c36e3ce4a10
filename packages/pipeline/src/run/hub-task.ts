import { ConfigError, type Task } from '@ocrm/core';
import {
  createHubTask,
  downloadModel,
  type HubTaskOptions,
  hubOptionsFromEnv,
  loadTokenizer,
} from '@ocrm/data';
import { parseHfConfig } from '@ocrm/models';
import { NeuralGoldJudge } from '@ocrm/reward-model';
import type { PipelineConfig } from '../config/schema';

/** Options of the `hub` task in a config: `createHubTask`'s, with the gold judge named by a Hub repo. */
export interface HubTaskConfig extends Omit<HubTaskOptions, 'judge' | 'model' | 'hub'> {
  /** Tokenizer source; default the run's model repo. */
  model?: string;
  /** A sequence-classification reward model on the Hub used as the gold judge (with its own tokenizer). */
  judge: { repo: string; revision?: string };
}

/**
 * The `hub` task (for GPU users): the model's tokenizer, one Hub dataset file read through an adapter, and a neural
 * gold judge downloaded from the Hub (the paper labelled with an 8B reward model). Uses the Hugging Face cache and
 * honours `HF_ENDPOINT`, `HF_HUB_OFFLINE`, `HF_TOKEN`.
 */
export async function createHubTaskFromConfig(config: PipelineConfig, signal?: AbortSignal): Promise<Task> {
  const options = config.task.options as unknown as HubTaskConfig;
  const model = options.model ?? (config.model.source === 'hub' ? config.model.repo : undefined);
  if (!model)
    throw new ConfigError('task.options.model', 'name the model repo whose tokenizer the task uses.');
  if (!options.judge?.repo)
    throw new ConfigError('task.options.judge.repo', 'name the gold judge (a reward model repo).');
  if (!options.dataset?.repo)
    throw new ConfigError('task.options.dataset', 'expected { repo, path, format }.');
  const hub = { ...hubOptionsFromEnv(), signal };
  const judgeModel = await downloadModel(options.judge.repo, {
    ...hub,
    revision: options.judge.revision,
    // An unsupported judge (e.g. rope type llama3) fails before its weights (16 GB for an 8B judge) are fetched.
    checkConfig: (json) => {
      parseHfConfig(json);
    },
  });
  const judge = await NeuralGoldJudge.load(judgeModel.dir, await loadTokenizer(judgeModel.dir));
  return createHubTask({ ...options, model, judge, hub });
}
