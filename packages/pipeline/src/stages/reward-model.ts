import { dirname, join } from 'node:path';
import { type PreferencePair, writeJsonAtomic } from '@ocrm/core';
import { normalizeLogWeights, readWeightsJsonl } from '@ocrm/weighting';
import type { PipelineConfig } from '../config/schema';
import type { StageRunner } from '../run/context';
import { stageDataParallel } from '../run/data-parallel-stages';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { seedFor } from './seeds';

/**
 * Attaches the log-weights of `weights-k` to the labelled pairs (by id). `normalize: 'dataset'` shifts them so the
 * weights average 1 over the dataset (log space); `'batch'` is applied by the trainer per batch.
 */
export async function weightedPairs(
  pairs: readonly PreferencePair[],
  weightsFile: string,
  normalize: 'none' | 'batch' | 'dataset',
): Promise<PreferencePair[]> {
  const records = await readWeightsJsonl(weightsFile);
  const byId = new Map(records.map((r) => [r.id, r.logWeight]));
  const raw = pairs.map((p) => byId.get(p.id) ?? 0);
  const logWeights = normalize === 'dataset' ? normalizeLogWeights(raw) : raw;
  return pairs.map((pair, i) => ({ ...pair, logWeight: logWeights[i]! }));
}

/**
 * The seed of RM-k (head initialisation and data order): RM-1's in every round under `rewardModel.seedPolicy: 'same'`
 * (official), round k's own under `'per-round'`.
 */
export function rewardModelSeed(config: PipelineConfig, round: number): number {
  return seedFor(config.seed, 'rm', config.rewardModel.seedPolicy === 'same' ? 1 : round);
}

/**
 * `rm-k`, through the context's `RewardModelTrainer` (by default the reference one below): a reward model trained afresh from SFT on the labelled pairs (round 1 unweighted; round k ≥ 2 weighted by
 * `weights-k`) with the weights `rewardModel.trainable` selects and the seed of {@link rewardModelSeed}, then
 * centred: the mean reward of the SFT demonstrations' responses is stored as its offset.
 */
export const rewardModelStage: StageRunner = async (ctx, stage) => {
  const { config, run, task } = ctx;
  const paths = runPaths(run);
  const round = stage.round ?? 1;
  const labelled = await readPairs(paths.labelled);
  const heldout = await readPairs(paths.heldout);
  const pairs =
    round >= 2
      ? await weightedPairs(labelled, paths.weights(`weights-${round}`), config.weighting.normalize)
      : labelled;
  const references = task.sftTrain.slice(0, 256);
  const summary = await ctx.rewardModelTrainer.train({
    pairs,
    evalPairs: heldout,
    initModelDir: paths.sftModel,
    seed: rewardModelSeed(config, round),
    round,
    dir: run.stagePath(stage.name),
    references: {
      prompts: references.map((r) => task.tokenizer.encode(r.prompt)),
      responses: references.map((r) => [...task.tokenizer.encode(r.response), task.tokenizer.eosId]),
    },
    padId: task.tokenizer.padId,
    tokenizer: task.tokenizer,
    cacheDir: dirname(paths.cache('rm-features')),
    stage: stage.name,
    signal: ctx.signal,
    onEvent: ctx.emit,
    dataParallel: stageDataParallel(ctx, 'rm', stage.name),
  });
  await writeJsonAtomic(join(run.stagePath(stage.name), 'result.json'), summary);
  return summary;
};
