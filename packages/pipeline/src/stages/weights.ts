import { join } from 'node:path';
import { ContractError, type PairWeightingRun, readJson, writeJsonAtomic } from '@ocrm/core';
import { recordedSamplerTemperature, writeWeightDiagnostics, writeWeightsJsonl } from '@ocrm/weighting';
import type { StageContext, StageRunner } from '../run/context';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { runMemo } from '../run/run-memo';
import { stageShardDir, stageTakesShards } from '../run/stage-shards';
import { loadPolicy } from './models';

/**
 * `weights-k` (the OCRM step): hands the labelled pairs, loaders of π_{k−1} and π_SFT and their temperatures to the
 * run's {@link PairWeighter} — π_{k−1} at the policy optimizer's rollout temperature (the distribution the RL step
 * samples from and the RM will meet), π_SFT at the temperature the pairs were sampled with (recorded on the pairs;
 * `pairs.temperature` for pairs that do not record one): the exact behaviour density. Writes `weights.jsonl`,
 * `diagnostics.json` and the weighter's `details.json`; warns when the weights do nothing (ESS > 0.99) or are
 * degenerate (ESS < 0.1). With `ctx.shards` N > 1 and a `shardable` weighter, its costly part is split into N shards
 * (files under `weights-k/shards/`, from other processes or computed here) that `weighPairs` merges: the same weights.
 */
/** The run a `weights-k` stage hands its pair weighter (also what a shard of it computes from). */
export async function weightingRun(
  ctx: StageContext,
  stage: string,
  round: number,
): Promise<PairWeightingRun> {
  const { config, run, task } = ctx;
  const paths = runPaths(run);
  const pairs = await readPairs(paths.labelled);
  return {
    pairs,
    round,
    policy: () => loadPolicy(paths.policy(`ppo-${round - 1}`), task, true),
    sampler: () => loadPolicy(paths.sftModel, task, true),
    temperatures: {
      policy: ctx.policyOptimizer.temperature,
      sampler: recordedSamplerTemperature(pairs) ?? config.pairs.temperature,
    },
    memo: runMemo(run),
    stage,
    signal: ctx.signal,
    onEvent: ctx.emit,
  };
}

export const weightsStage: StageRunner = async (ctx, stage) => {
  const { run } = ctx;
  const paths = runPaths(run);
  const round = stage.round ?? 2;
  const weighting = await weightingRun(ctx, stage.name, round);
  const { pairs } = weighting;
  const shards = ctx.shards ?? 1;
  const weighter = ctx.pairWeighter;
  let shardResults: unknown[] | undefined;
  if (shards > 1 && stageTakesShards(ctx, stage.name) && weighter.weighShard) {
    // The shards other processes computed are read; the missing ones computed here; merged by the weighter.
    const dir = stageShardDir(ctx, stage.name);
    shardResults = [];
    for (let index = 0; index < shards; index++) {
      const shard = { index, count: shards };
      const file = join(dir, `${index}-of-${shards}.json`);
      let part: unknown;
      try {
        part = await readJson<unknown>(file);
      } catch {
        part = await weighter.weighShard(weighting, shard);
        await writeJsonAtomic(file, part);
      }
      shardResults.push(part);
    }
  }
  const result = await weighter.weighPairs(shardResults ? { ...weighting, shardResults } : weighting);
  const { logWeights, diagnostics } = result;
  const bad = Array.from(logWeights).findIndex((w) => !Number.isFinite(w));
  if (logWeights.length !== pairs.length || bad >= 0) {
    throw new ContractError(
      `the pair weighter ${ctx.pairWeighter.name} returned ${logWeights.length} log-weights for ${pairs.length} pairs${bad >= 0 ? ` (log-weight ${bad} is ${logWeights[bad]})` : ''}.`,
      { hint: 'weighPairs must return one finite log-weight per pair, in the pairs’ order.' },
    );
  }
  await writeWeightsJsonl(paths.weights(stage.name), pairs, logWeights);
  await writeWeightDiagnostics(paths.weightDiagnostics(stage.name), diagnostics);
  if (result.details) await writeJsonAtomic(join(run.stagePath(stage.name), 'details.json'), result.details);
  for (const message of diagnostics.warnings)
    ctx.emit({ type: 'warning', stage: stage.name, message, time: Date.now() });
  return {
    'weights/ess_fraction': diagnostics.essFraction,
    'weights/min': diagnostics.min,
    'weights/max': diagnostics.max,
    'weights/fraction_moved': diagnostics.fractionMoved,
    ...result.metrics,
  };
};
