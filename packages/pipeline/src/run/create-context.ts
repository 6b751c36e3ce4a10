import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  type GoldJudge,
  NotFoundError,
  type PairSampler,
  type PairWeighter,
  type PolicyOptimizer,
  type PreferencePair,
  type RewardModelTrainer,
  type RunDirectory,
  type RunEvaluator,
  type RunReporter,
  type SftTrainer,
  type WeightingStrategy,
} from '@ocrm/core';
import { getTask, hubOptionsFromEnv, loadPreferenceDataset, temperaturePairSampler } from '@ocrm/data';
import { goldRunEvaluator, htmlReporter } from '@ocrm/eval';
import { sftTrainer } from '@ocrm/policy';
import { densityRatioWeighter } from '@ocrm/weighting';
import type { PipelineConfig } from '../config/schema';
import type { PipelineStages, StageContext } from './context';
import type { PipelineEvent } from './events';
import { createHubTaskFromConfig } from './hub-task';
import { loadImplementation } from './load-module';
import { planStages, ppoSegment } from './plan';
import { createPolicyOptimizer } from './policy-optimizer';
import { createRewardModelTrainer } from './reward-model-trainer';

/**
 * Builds what the stages share: the task, the gold judge and every replaceable stage implementation (swapped from
 * code, or from the config and its modules), each checked against its contract's shape before anything is written.
 */
export async function createStageContext(
  config: PipelineConfig,
  run: RunDirectory,
  options: {
    stages?: PipelineStages;
    signal?: AbortSignal;
    emit: (event: PipelineEvent) => void;
    /** The `pairs` stage is already done: a preference dataset is read only if a stage asks for it. */
    pairsDone?: boolean;
  },
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
      ? await loadImplementation<GoldJudge>(
          config.task.judgeModule,
          'judge',
          'score',
          task,
          'task.judgeModule',
        )
      : task.judge);
  const weightingModule = config.weighting.module
    ? await loadImplementation<WeightingStrategy | PairWeighter>(
        config.weighting.module,
        'strategy',
        ['weighPairs', 'weigh'],
        config.weighting,
        'weighting.module',
      )
    : undefined;
  const strategy =
    stages.weighting ?? (weightingModule && 'weigh' in weightingModule ? weightingModule : undefined);
  const pairWeighter =
    stages.pairWeighter ??
    (weightingModule && 'weighPairs' in weightingModule
      ? weightingModule
      : densityRatioWeighter({ ...config.weighting, strategy }));
  const runEvaluator =
    stages.runEvaluator ??
    (config.eval.module
      ? await loadImplementation<RunEvaluator>(
          config.eval.module,
          'evaluator',
          'evaluateRun',
          config.eval,
          'eval.module',
        )
      : goldRunEvaluator(config.eval));
  const runReporter =
    stages.runReporter ??
    (config.reportModule
      ? await loadImplementation<RunReporter>(
          config.reportModule,
          'reporter',
          'writeReport',
          undefined,
          'reportModule',
        )
      : htmlReporter());
  const sft =
    stages.sftTrainer ??
    (typeof config.sft.module === 'string'
      ? await loadImplementation<SftTrainer>(config.sft.module, 'trainer', 'train', config.sft, 'sft.module')
      : sftTrainer(config.sft));
  const { module: pairsModule, passes, temperature, microBatchSize } = config.pairs;
  const pairSampler =
    stages.pairSampler ??
    (pairsModule
      ? await loadImplementation<PairSampler>(pairsModule, 'sampler', 'sample', config.pairs, 'pairs.module')
      : temperaturePairSampler({ passes, temperature, microBatchSize }));
  const policyOptimizer =
    stages.policyOptimizer ??
    (config.policyOptimizerModule
      ? await loadImplementation<PolicyOptimizer>(
          config.policyOptimizerModule,
          'optimizer',
          'optimize',
          config[config.policyOptimizer],
          'policyOptimizerModule',
        )
      : createPolicyOptimizer(config));
  if (!policyOptimizer.canContinue && ppoSegment(config, 1).continued) {
    throw new ConfigError(
      'roundStart',
      `the policy optimizer '${policyOptimizer.name}' cannot continue one run across rounds: set roundStart to 'restart'.`,
    );
  }
  const rewardModelTrainer =
    stages.rewardModelTrainer ??
    (config.rewardModel.module
      ? await loadImplementation<RewardModelTrainer>(
          config.rewardModel.module,
          'trainer',
          'train',
          config.rewardModel,
          'rewardModel.module',
        )
      : createRewardModelTrainer(config));
  if (
    policyOptimizer.usesCritic &&
    !rewardModelTrainer.loadCritic &&
    planStages(config).some((s) => s.kind === 'ppo')
  ) {
    throw new ConfigError(
      'policyOptimizer',
      `'${policyOptimizer.name}' learns a critic initialised from the reward model, and the reward-model trainer ` +
        `'${rewardModelTrainer.name}' provides none (no loadCritic): use a critic-free optimizer (rloo, grpo).`,
    );
  }
  if (config.model.source === 'local' && !existsSync(join(config.model.path, 'config.json'))) {
    throw new NotFoundError(`No model in ${config.model.path}: config.json is missing.`, {
      hint: 'model.path must be a folder in the Hugging Face layout (config.json + model.safetensors).',
    });
  }
  // Bad input at the door: a preference dataset is read and checked before the first stage writes anything — unless
  // its pairs are already in the run (a resumed run, one SLURM stage job): then only if a stage asks for them.
  const dataset = config.pairs.dataset;
  let read: Promise<{ pairs: PreferencePair[]; stats: Record<string, number> }> | undefined;
  const datasetPairs = dataset
    ? () => {
        read ??= loadPreferenceDataset(
          { ...dataset, path: dataset.repo ? dataset.path : resolve(dataset.path) },
          {
            format: dataset.format,
            hub: { ...hubOptionsFromEnv(), signal: options.signal },
            tokenizer: task.tokenizer,
            maxPromptTokens: task.maxPromptTokens,
            maxResponseTokens: task.maxResponseTokens,
            limit: dataset.limit,
          },
        ).then((d) => ({ pairs: d.pairs, stats: { ...d.stats } }));
        return read;
      }
    : undefined;
  if (datasetPairs && !options.pairsDone) await datasetPairs();
  return {
    config,
    run,
    task,
    judge,
    pairWeighter,
    runEvaluator,
    runReporter,
    evaluators: stages.evaluators ?? [],
    sftTrainer: sft,
    pairSampler,
    policyOptimizer,
    rewardModelTrainer,
    datasetPairs,
    signal: options.signal,
    emit: options.emit,
  };
}
