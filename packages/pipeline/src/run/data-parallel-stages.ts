import { type DataParallelOptions, WorkerThreads } from '@ocrm/core';
import type { PipelineConfig } from '../config/schema';
import type { StageContext } from './context';

/** The training stages whose reference trainers compute micro-batches in data-parallel workers. */
export type DataParallelStage = 'sft' | 'rm' | 'ppo';

/**
 * Whether `stage`'s trainer can use data-parallel workers under `config`, and if not, why (what to set). A stage
 * with a custom trainer module gets the workers and decides itself.
 * @returns undefined when it can, else the reason.
 */
export function dataParallelBlocker(config: PipelineConfig, stage: DataParallelStage): string | undefined {
  if (stage === 'sft') {
    const sft = config.sft;
    if (sft.module !== undefined) return undefined;
    const { batchSize, microBatchSize } = sft as { batchSize: number; microBatchSize: number };
    return batchSize / microBatchSize >= 2
      ? undefined
      : `sft trains one micro-batch a step (sft.microBatchSize = sft.batchSize = ${batchSize}): set sft.microBatchSize to a divisor of ${batchSize} below it (e.g. ${batchSize / 2}) to use the workers`;
  }
  if (stage === 'ppo') {
    if (config.method === 'dpo' || config.method === 'wpo') return 'no ppo stage (DPO)';
    if (config.policyOptimizerModule !== undefined) return undefined;
    if (config.policyOptimizer !== 'ppo') {
      return `${config.policyOptimizer} computes its updates in one thread (only the reference PPO has data-parallel workers)`;
    }
    const { rolloutBatchSize, numMinibatches, microBatchSize } = config.ppo;
    const rows = rolloutBatchSize / numMinibatches;
    return rows / microBatchSize >= 2
      ? undefined
      : `ppo trains one micro-batch a minibatch (ppo.microBatchSize = ${microBatchSize}, minibatches of ${rows} rows): set ppo.microBatchSize to a divisor of ${rows} below it (e.g. ${rows / 2}) to use the workers`;
  }
  const rm = config.rewardModel;
  if (rm.module !== undefined) return undefined;
  if (rm.trainable === 'head') {
    return "the reward models train only their head on cached features (rewardModel.trainable 'head'): nothing to split";
  }
  return rm.batchSize / rm.microBatchSize >= 2
    ? undefined
    : `the reward models train one micro-batch a step (rewardModel.microBatchSize = rewardModel.batchSize = ${rm.batchSize}): set rewardModel.microBatchSize to a divisor of ${rm.batchSize} below it (e.g. ${rm.batchSize / 2}) to use the workers`;
}

/**
 * The workers `stage` (named `name`) hands its trainer: the context's when the stage can use them, else none, with a
 * `warning` event saying why. The training stages share one set of threads (started here by the first, kept in
 * `ctx.workerThreads` until the pipeline ends), so each stage builds only its replicas.
 */
export function stageDataParallel(
  ctx: StageContext,
  stage: DataParallelStage,
  name: string,
): DataParallelOptions | undefined {
  if (!ctx.dataParallel) return undefined;
  const blocker = dataParallelBlocker(ctx.config, stage);
  if (blocker === undefined) {
    const given = ctx.dataParallel;
    if (given.threads) return given;
    ctx.workerThreads ??= WorkerThreads.spawn({ count: given.workers, backend: given.backend });
    return { ...given, threads: ctx.workerThreads };
  }
  ctx.emit({
    type: 'warning',
    stage: name,
    message: `no data-parallel workers: ${blocker}.`,
    time: Date.now(),
  });
  return undefined;
}
