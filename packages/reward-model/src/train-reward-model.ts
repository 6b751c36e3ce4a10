import { createRequire } from 'node:module';
import {
  createAdamWCosine,
  type DataParallelOptions,
  drive,
  type EventHandler,
  epochOrder,
  GradientAccumulator,
  GradientWorkers,
  InvalidArgumentError,
  type PreferencePair,
  type RewardModel,
  requireMicroBatches,
  type TrainEvent,
  trainingLoop,
} from '@ocrm/core';
import { modelReplicaSpec } from '@ocrm/models';
import type { RewardModelReplicaOptions } from './bt-replica';
import { evaluatePairs } from './evaluate-pairs';
import type { PairMicroBatch } from './pair-gradients';
import { type RewardModelConfig, resolveRewardModelConfig } from './reward-model-config';
import { rewardModelStep } from './reward-model-step';
import { ScalarRewardModel } from './scalar-reward-model';

/** Inputs of {@link trainRewardModel} / {@link trainRewardModelIter}. */
export interface TrainRewardModelOptions {
  /** Trained in place (e.g. a `ScalarRewardModel.fromBackbone(sftDir)`). */
  rewardModel: RewardModel;
  /** Labelled pairs (`chosen` preferred); `logWeight` (absent = 0) weights each pair by `exp(logWeight)`. */
  pairs: readonly PreferencePair[];
  /** Held-out labelled pairs for eval accuracy. */
  evalPairs?: readonly PreferencePair[];
  /** PAD id of the batches (the tokenizer's). */
  padId: number;
  config?: Partial<RewardModelConfig>;
  /** Checkpoints go here every `checkpointEvery` steps; an existing checkpoint there is resumed from. */
  checkpointDir?: string;
  /** Stage name in events (default `rm`). */
  stage?: string;
  signal?: AbortSignal;
  /** Receives every event (the Promise face only). */
  onEvent?: EventHandler;
  /**
   * Compute each step's micro-batches in worker threads too (Node; a `ScalarRewardModel` without a feature cache;
   * the same numbers bit for bit; needs `microBatchSize` below `batchSize`). Absent: one thread.
   */
  dataParallel?: DataParallelOptions;
}

/** What reward-model training returns. */
export interface RewardModelTrainResult {
  steps: number;
  /** Weighted BT loss of the last step. */
  trainLoss: number;
  /** Training accuracy over the last epoch's steps (ties excluded). */
  trainAccuracy: number;
  /** Held-out accuracy at the end (NaN without eval pairs). */
  evalAccuracy: number;
  config: RewardModelConfig;
}

/**
 * Reward-model training as an event stream: Bradley-Terry loss with per-pair weights `exp(logWeight)` (log space,
 * optionally normalised to mean 1 per step), 1 epoch by default, AdamW, cosine decay, gradient accumulation,
 * periodic held-out accuracy, checkpoints, `AbortSignal`. The pair order of epoch e is `permutation(N, rng(seed, 0,
 * e))`.
 *
 * Metrics per step: `loss/weighted`, `loss/unweighted`, `train/accuracy` (ties excluded), `train/margin`,
 * `weights/max`, `lr`, `grad/norm`; at evaluations `eval/accuracy`, `eval/loss`, `eval/margin`.
 */
export async function* trainRewardModelIter(
  options: TrainRewardModelOptions,
): AsyncGenerator<TrainEvent, RewardModelTrainResult> {
  const config = resolveRewardModelConfig(options.config);
  const stage = options.stage ?? 'rm';
  const { rewardModel: rm, pairs, padId, signal } = options;
  const evalPairs = options.evalPairs ?? [];
  if (pairs.length === 0) throw new InvalidArgumentError('trainRewardModel: no training pairs.');
  const variables = rm.trainableVariables();
  if (Object.keys(variables).length === 0)
    throw new InvalidArgumentError('trainRewardModel: the model is frozen.');
  const N = pairs.length;
  const totalPairs = Math.ceil(config.epochs * N);
  const totalSteps = Math.ceil(totalPairs / config.batchSize);
  const { optimizer, schedule } = createAdamWCosine(config, totalSteps);
  const accumulator = new GradientAccumulator();
  let workers: GradientWorkers<PairMicroBatch> | undefined;
  const indexAt = epochOrder(N, config.seed);
  const pairAt = (position: number): PreferencePair => pairs[indexAt(position)]!;
  let trainLoss = Number.NaN;
  let evalAccuracy = Number.NaN;
  let correct = 0;
  let counted = 0;
  try {
    // Inside the try: a worker that cannot start still releases the optimizer and the accumulator.
    if (options.dataParallel) workers = await startRewardModelWorkers(rm, config, options.dataParallel);
    const loop = yield* trainingLoop({
      stage,
      totalSteps,
      variables,
      optimizer,
      checkpointDir: options.checkpointDir,
      checkpointEvery: config.checkpointEvery,
      evalEvery: config.evalEvery,
      signal,
      // Step s takes the pairs at positions [s·batchSize, …) of the epoch order (the last step may be short).
      dataPosition: (steps) => Math.min(steps * config.batchSize, totalPairs),
      // The epoch's running accuracy survives a resume.
      checkpointExtra: () => ({ correct, counted }),
      onResume: (extra) => {
        correct = typeof extra.correct === 'number' ? extra.correct : 0;
        counted = typeof extra.counted === 'number' ? extra.counted : 0;
      },
      step: async (s) => {
        const position = s * config.batchSize;
        const size = Math.min(config.batchSize, totalPairs - position);
        if (Math.floor(position / N) !== Math.floor((position + size - 1) / N) || position % N === 0) {
          correct = 0; // a new epoch starts within this step: restart the running accuracy
          counted = 0;
        }
        const batch = Array.from({ length: size }, (_, i) => pairAt(position + i));
        const lr = schedule(s);
        const m = await rewardModelStep(rm, batch, padId, config, accumulator, optimizer, lr, workers);
        const nonTies = batch.filter((p) => !p.tie).length;
        if (nonTies > 0) {
          correct += m.accuracy * nonTies;
          counted += nonTies;
        }
        trainLoss = m.weightedLoss;
        return {
          'loss/weighted': m.weightedLoss,
          'loss/unweighted': m.unweightedLoss,
          'train/accuracy': m.accuracy,
          'train/margin': m.margin,
          'weights/max': m.maxWeight,
          lr,
          'grad/norm': m.gradNorm,
        };
      },
      evaluate:
        evalPairs.length > 0
          ? async () => {
              const stats = await evaluatePairs(rm, evalPairs, padId, config.microBatchSize, signal);
              evalAccuracy = stats.accuracy;
              return {
                'eval/accuracy': stats.accuracy,
                'eval/loss': stats.loss,
                'eval/margin': stats.margin,
              };
            }
          : undefined,
    });
    const trainAccuracy = counted > 0 ? correct / counted : Number.NaN;
    const metrics: Record<string, number> = { 'loss/weighted': trainLoss, 'train/accuracy': trainAccuracy };
    if (evalPairs.length > 0) metrics['eval/accuracy'] = evalAccuracy;
    yield { type: 'run-end', stage, step: loop.steps, metrics, time: Date.now() };
    return { steps: loop.steps, trainLoss, trainAccuracy, evalAccuracy, config };
  } finally {
    accumulator.dispose();
    optimizer.dispose();
    await workers?.close();
  }
}

/** Starts the data-parallel workers of a reward-model training, each with a replica of `rm`. */
async function startRewardModelWorkers(
  rm: RewardModel,
  config: RewardModelConfig,
  parallel: DataParallelOptions,
): Promise<GradientWorkers<PairMicroBatch>> {
  if (!(rm instanceof ScalarRewardModel) || rm.featureCache) {
    throw new InvalidArgumentError(
      'trainRewardModel: data parallelism needs a ScalarRewardModel without a feature cache (not trainable: head).',
      {
        hint: 'Drop dataParallel for this model: a head-only model trains on cached features, one cheap product a step.',
      },
    );
  }
  requireMicroBatches(
    'trainRewardModel',
    'rewardModel.microBatchSize',
    config.batchSize,
    config.microBatchSize,
  );
  const replica: RewardModelReplicaOptions = {
    model: modelReplicaSpec(rm.model),
    rewardOffset: rm.rewardOffset,
  };
  return GradientWorkers.start<PairMicroBatch>({
    count: parallel.workers,
    backend: parallel.backend,
    threads: parallel.threads,
    replica: {
      module: createRequire(import.meta.url).resolve('@ocrm/reward-model/replica'),
      export: 'createRewardModelReplica',
      options: replica,
    },
    weights: rm.model.variables(),
  });
}

/**
 * Trains a reward model on labelled pairs; resolves with the {@link RewardModelTrainResult}.
 * @example
 * const rm = await ScalarRewardModel.fromBackbone(sftDir, { seed: 1 });
 * await trainRewardModel({ rewardModel: rm, pairs, evalPairs, padId: tokenizer.padId });
 */
export function trainRewardModel(options: TrainRewardModelOptions): Promise<RewardModelTrainResult> {
  return drive(trainRewardModelIter(options), options.onEvent);
}
