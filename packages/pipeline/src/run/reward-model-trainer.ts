import type { RewardModelTrainer } from '@ocrm/core';
import { scalarRewardModelTrainer } from '@ocrm/reward-model';
import type { PipelineConfig } from '../config/schema';

/**
 * The reference reward-model trainer of `config`: `scalarRewardModelTrainer` with `rewardModel.trainable` and
 * `featureCache`, the
 * section's trainer fields, and per-batch weight normalisation when `weighting.normalize` is `batch`.
 */
export function createRewardModelTrainer(config: PipelineConfig): RewardModelTrainer {
  const {
    seedPolicy: _seedPolicy,
    trainable,
    featureCache,
    module: _module,
    ...trainerConfig
  } = config.rewardModel;
  return scalarRewardModelTrainer({
    trainable,
    featureCache: featureCache ?? 'stage',
    config: {
      ...trainerConfig,
      weightNormalization: config.weighting.normalize === 'batch' ? 'batch' : 'none',
    },
  });
}
