import { join } from 'node:path';
import { type RewardModelTrainer, type RewardModelTrainingRun, SPECIFICATION_VERSION } from '@ocrm/core';
import { computeRewardOffset } from './compute-reward-offset';
import { modelFolderHash, readFeatureCache, writeFeatureCache } from './feature-cache-file';
import { type RewardModelConfig, resolveRewardModelConfig } from './reward-model-config';
import { ScalarRewardModel } from './scalar-reward-model';
import { trainRewardModel } from './train-reward-model';
import type { RewardModelTrainable } from './trainable-params';

/** Options of {@link scalarRewardModelTrainer}. */
export interface ScalarRewardModelTrainerOptions {
  /** Which weights train (default `all`): see {@link RewardModelTrainable}. */
  trainable?: RewardModelTrainable;
  /**
   * With `trainable: 'head'`: `stage` (default) keeps the frozen backbone's features for one training; `run` keeps
   * them in the run's `cacheDir` for every later training on the same backbone. Their scores may differ in the last
   * float bits: a response's features come from the batches of the first training that saw it.
   */
  featureCache?: 'stage' | 'run';
  /** Trainer config (`learningRate`, `batchSize`, `weightNormalization`, …); the run's seed unless it sets one. */
  config?: Partial<RewardModelConfig>;
}

/** Where {@link scalarRewardModelTrainer} writes the model inside the stage folder. */
export const SCALAR_REWARD_MODEL_DIR = 'model';

/**
 * The reference {@link RewardModelTrainer}: a fresh scalar head on the SFT backbone (`ScalarRewardModel.fromBackbone`
 * with the run's seed), weighted Bradley-Terry training (`trainRewardModel`, checkpoints in `<dir>/checkpoint`),
 * centred on the run's references (`computeRewardOffset`), saved to `<dir>/model` in the Hugging Face layout
 * (`*ForSequenceClassification`, with the run's tokenizer files when it can save them). `loadCritic` gives the same model trainable: PPO's critic.
 * With `trainable: 'head'`, `featureCache: 'run'` and a `run.cacheDir`, the frozen backbone's features are kept in
 * `<cacheDir>/rm-features-<hash of the backbone folder>.bin` and read back by the next training on the same backbone
 * (every OCRM round re-trains on the same pairs), which then runs no backbone forward at all.
 * @throws ConfigError at construction when `config` is invalid (naming `rewardModel.<field>`).
 */
export function scalarRewardModelTrainer(options: ScalarRewardModelTrainerOptions = {}): RewardModelTrainer {
  const trainable = options.trainable ?? 'all';
  const config = options.config ?? {};
  resolveRewardModelConfig(config);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: trainable === 'all' ? 'scalar' : `scalar(${trainable})`,
    async train(run: RewardModelTrainingRun): Promise<Record<string, number>> {
      const cacheFile =
        trainable === 'head' && options.featureCache === 'run' && run.cacheDir
          ? join(run.cacheDir, `rm-features-${await modelFolderHash(run.initModelDir)}.bin`)
          : undefined;
      const rm = await ScalarRewardModel.fromBackbone(run.initModelDir, { seed: run.seed, trainable });
      const features = rm.featureCache;
      if (cacheFile && features) {
        const saved = await readFeatureCache(cacheFile, features.size);
        for (const [key, row] of saved?.entries() ?? []) features.add(key, row);
      }
      const cachedBefore = rm.cachedFeatures;
      try {
        const result = await trainRewardModel({
          rewardModel: rm,
          pairs: run.pairs,
          evalPairs: run.evalPairs,
          padId: run.padId,
          config: { seed: run.seed, ...config },
          checkpointDir: join(run.dir, 'checkpoint'),
          stage: run.stage,
          signal: run.signal,
          onEvent: run.onEvent,
          // A head-only model trains on cached features (one small product a step): nothing to split.
          dataParallel: trainable === 'head' ? undefined : run.dataParallel,
        });
        rm.rewardOffset = await computeRewardOffset(rm, run.references.prompts, run.references.responses, {
          padId: run.padId,
        });
        await rm.save(join(run.dir, SCALAR_REWARD_MODEL_DIR));
        await run.tokenizer?.save?.(join(run.dir, SCALAR_REWARD_MODEL_DIR));
        if (cacheFile && rm.cachedFeatures > cachedBefore) await writeFeatureCache(cacheFile, features!);
        return {
          steps: result.steps,
          'rm/train_accuracy': result.trainAccuracy,
          'rm/heldout_accuracy': result.evalAccuracy,
          'rm/offset': rm.rewardOffset,
        };
      } finally {
        rm.dispose();
      }
    },
    load: (dir) => ScalarRewardModel.load(join(dir, SCALAR_REWARD_MODEL_DIR), { frozen: true }),
    loadCritic: (dir) => ScalarRewardModel.load(join(dir, SCALAR_REWARD_MODEL_DIR), { frozen: false }),
  };
}
