import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type GoldJudge, NotFoundError, type RunDirectory, type WeightingStrategy } from '@ocrm/core';
import { getTask } from '@ocrm/data';
import type { PipelineConfig } from '../config/schema';
import type { PipelineStages, StageContext } from './context';
import type { PipelineEvent } from './events';
import { createHubTaskFromConfig } from './hub-task';
import { loadImplementation } from './load-module';

/** Builds what the stages share: the task, the gold judge and weighting (swapped or from config modules). */
export async function createStageContext(
  config: PipelineConfig,
  run: RunDirectory,
  options: { stages?: PipelineStages; signal?: AbortSignal; emit: (event: PipelineEvent) => void },
): Promise<StageContext> {
  const stages = options.stages ?? {};
  const task =
    stages.task ??
    (config.task.name === 'hub'
      ? await createHubTaskFromConfig(config, options.signal)
      : await getTask(config.task.name, config.task.options));
  const judge =
    stages.judge ??
    (config.task.judgeModule
      ? await loadImplementation<GoldJudge>(config.task.judgeModule, 'judge', 'score', task)
      : task.judge);
  const weighting =
    stages.weighting ??
    (config.weighting.module
      ? await loadImplementation<WeightingStrategy>(
          config.weighting.module,
          'strategy',
          'weigh',
          config.weighting,
        )
      : undefined);
  if (config.model.source === 'local' && !existsSync(join(config.model.path, 'config.json'))) {
    throw new NotFoundError(`No model in ${config.model.path}: config.json is missing.`, {
      hint: 'model.path must be a folder in the Hugging Face layout (config.json + model.safetensors).',
    });
  }
  return {
    config,
    run,
    task,
    judge,
    weighting,
    evaluators: stages.evaluators ?? [],
    signal: options.signal,
    emit: options.emit,
  };
}
