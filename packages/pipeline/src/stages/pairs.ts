import { type PreferencePair, writeJsonAtomic, writeJsonl } from '@ocrm/core';
import { type LabelStats, labelPairs, labelPairsFromScores } from '@ocrm/data';
import type { StageRunner } from '../run/context';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { stageTakesShards } from '../run/stage-shards';
import { judgeShard, labelsShardDir, labelsShardFile, readScoresShard } from './labels-shards';
import { pairsShardDir, pairsShardFile, readPairsShard, samplePairsShard } from './pairs-shards';
import { seedFor } from './seeds';

/**
 * `pairs`: unlabelled pairs from the SFT policy through the context's `PairSampler` (by default two independent samples
 * per training prompt and pass at `pairs.temperature`, log-probs and temperature recorded) — or the pairs of
 * `pairs.dataset`, read when the run started. With `ctx.shards` N > 1 the sampling is split into N shards (files
 * under `pairs/shards/`, from other processes or sampled here) merged in order: the same pairs as unsharded.
 */
export const pairsStage: StageRunner = async (ctx, stage): Promise<Record<string, number>> => {
  const { task, run } = ctx;
  if (ctx.datasetPairs) {
    const { pairs, stats } = await ctx.datasetPairs();
    await writeJsonl(runPaths(run).pairs, pairs);
    return {
      pairs: pairs.length,
      'pairs/prompts_truncated': stats.promptsTruncated ?? 0,
      'pairs/responses_truncated': stats.responsesTruncated ?? 0,
    };
  }
  // A sampler that cannot shard samples the stage whole (its shard tasks wrote nothing).
  const shards = stageTakesShards(ctx, 'pairs') ? (ctx.shards ?? 1) : 1;
  let pairs: PreferencePair[];
  if (shards <= 1) {
    pairs = await samplePairsShard(ctx, stage.name);
  } else {
    // Shards other processes wrote are read; the missing ones are sampled here; merged in order.
    const dir = pairsShardDir(ctx);
    pairs = [];
    for (let index = 0; index < shards; index++) {
      const file = pairsShardFile(dir, { index, count: shards });
      let part = await readPairsShard(file);
      if (!part) {
        part = await samplePairsShard(ctx, stage.name, { index, count: shards });
        await writeJsonl(file, part);
      }
      pairs.push(...part);
    }
  }
  await writeJsonl(runPaths(run).pairs, pairs);
  const eos =
    pairs.filter((p) => p.chosenIds.at(-1) === task.tokenizer.eosId).length / Math.max(1, pairs.length);
  return { pairs: pairs.length, 'pairs/eos_rate': eos, ...(shards > 1 ? { 'pairs/shards': shards } : {}) };
};

/** Held-out share of the labelled pairs (RM accuracy on SFT pairs), at most `HELDOUT_MAX`. */
const HELDOUT_FRACTION = 0.1;
const HELDOUT_MAX = 512;

/** The dataset's own preferences as labels (`labels.source: dataset`): chosen stays chosen, gold 1 against 0. */
function datasetLabels(pairs: PreferencePair[]): { pairs: PreferencePair[]; stats: LabelStats } {
  const labelled = pairs.map((p) => ({ ...p, goldChosen: 1, goldRejected: 0, tie: false }));
  const n = labelled.length;
  return {
    pairs: labelled,
    stats: {
      n,
      ties: 0,
      tieRate: 0,
      swapRate: 0,
      meanGoldChosen: 1,
      meanGoldRejected: 0,
      meanMargin: 1,
      agreement: 1,
    },
  };
}

/**
 * `labels`: gold-labels the pairs (chosen = higher gold score), or keeps a dataset's preferences
 * (`labels.source: dataset`); splits off held-out pairs for RM accuracy. With `ctx.shards` N > 1 the judge's scoring
 * (the costly part with a neural judge) is split into N shards (files under `labels/shards/`, from other processes or
 * scored here) and the labels are drawn from all scores at once: the same labels as unsharded.
 */
export const labelsStage: StageRunner = async (ctx) => {
  const { config, run, judge, task } = ctx;
  const paths = runPaths(run);
  const pairs = await readPairs(paths.pairs);
  const options = {
    mode: config.labels.mode,
    temperature: config.labels.temperature,
    seed: seedFor(config.seed, 'labels'),
    eosId: task.tokenizer.eosId,
  };
  // An inexpensive judge scores here whole even with shards (their processes would cost more than the scoring).
  const shards = stageTakesShards(ctx, 'labels') ? (ctx.shards ?? 1) : 1;
  let labelled: PreferencePair[];
  let stats: LabelStats;
  if (config.labels.source === 'dataset') ({ pairs: labelled, stats } = datasetLabels(pairs));
  else if (shards <= 1) ({ pairs: labelled, stats } = await labelPairs(pairs, judge, options));
  else {
    // The judge's scores in shards (other processes' files, or scored here), then the labels from all of them.
    const dir = labelsShardDir(ctx);
    const scores: number[] = [];
    for (let index = 0; index < shards; index++) {
      const shard = { index, count: shards };
      const file = labelsShardFile(dir, shard);
      let part = await readScoresShard(file);
      if (!part) {
        part = await judgeShard(ctx, pairs, shard);
        await writeJsonAtomic(file, part);
      }
      scores.push(...part);
    }
    ({ pairs: labelled, stats } = labelPairsFromScores(pairs, scores, options));
  }
  const heldout = Math.min(HELDOUT_MAX, Math.floor(labelled.length * HELDOUT_FRACTION));
  await writeJsonl(paths.heldout, labelled.slice(labelled.length - heldout));
  await writeJsonl(paths.labelled, labelled.slice(0, labelled.length - heldout));
  await writeJsonAtomic(paths.labelStats, { ...stats, heldout });
  return {
    pairs: labelled.length - heldout,
    heldout,
    'labels/tie_rate': stats.tieRate,
    ...(shards > 1 ? { 'labels/shards': shards } : {}),
  };
};
