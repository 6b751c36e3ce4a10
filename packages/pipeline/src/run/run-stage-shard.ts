import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  InvalidArgumentError,
  OcrmError,
  RunDirectory,
  readJson,
  type StageShard,
  writeJsonAtomic,
  writeJsonl,
} from '@ocrm/core';
import { type PipelineConfig, parsePipelineConfig, type UnresolvedPipelineConfig } from '../config/index';
import { evaluationRun } from '../stages/evaluate';
import { judgeShard } from '../stages/labels-shards';
import { readPairsShard, samplePairsShard } from '../stages/pairs-shards';
import { weightingRun } from '../stages/weights';
import type { PipelineStages } from './context';
import { createStageContext } from './create-context';
import type { PipelineEvent } from './events';
import { readPairs } from './pair-records';
import { runPaths } from './paths';
import { planStages } from './plan';
import { isShardableStage, SHARDABLE_STAGES, shardsDeclined, stageShardDir } from './stage-shards';

/** Options of {@link runStageShard}. */
export interface RunStageShardOptions {
  /** The run directory, already claimed with this config (`ocrm run … --executor slurm` or an earlier run). */
  outDir: string;
  /** The stage (`pairs`, `labels`, a `weights-k` or `eval`: {@link isShardableStage}). */
  stage: string;
  shard: StageShard;
  stages?: PipelineStages;
  signal?: AbortSignal;
  /** Progress events (not appended to `metrics.jsonl`: shards run concurrently; the merging stage records its own). */
  onEvent?: (event: PipelineEvent) => void;
}

/**
 * Computes one shard of a data-parallel stage and writes it under the stage folder, atomically — `pairs`: the
 * shard's pairs (`pairs/shards/<fingerprint>/<index>-of-<count>.jsonl`); `labels`: the gold judge's scores of the
 * shard's pairs (`labels/shards/<fingerprint>/<index>-of-<count>.json`) — without the run directory's lock: shards of one stage run at once (SLURM
 * array tasks), each writing only its own file. The stage itself, run with `shards: count`, merges them (sampling
 * any that are missing). The earlier stages must be done.
 * A shard file already there is kept (`skipped: 'already written'`, a resubmitted array redoes nothing). A shard of an implementation that cannot shard (a custom sampler or weighter without `shardable`) writes nothing
 * and says so in `skipped`: the merging stage then computes the stage whole.
 * `weights-k`: the weighter's shard result (`weights-k/shards/…/<i>-of-<n>.json`); `eval`: the entries of the shard's
 * evaluated policies (`eval/shards/…`).
 * @returns the shard's file and its number of records (pairs, or evaluated policies), or why nothing was written
 * @throws InvalidArgumentError for a stage that cannot be sharded or a bad shard; OcrmError `RUN_DIRECTORY` when the
 * run directory holds another config or the stages before are not done.
 */
export async function runStageShard(
  config: PipelineConfig | UnresolvedPipelineConfig,
  options: RunStageShardOptions,
): Promise<{ file?: string; records: number; skipped?: string }> {
  if (!isShardableStage(options.stage)) {
    throw new InvalidArgumentError(
      `stage ${options.stage} cannot be sharded (shardable: ${SHARDABLE_STAGES.join(', ')}).`,
    );
  }
  const { index, count } = options.shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new InvalidArgumentError(
      `shard ${index}/${count}: expected 0 ≤ index < count, both whole numbers.`,
    );
  }
  const checked = parsePipelineConfig(config);
  const run = new RunDirectory(options.outDir);
  const recorded = await run.readConfig().catch(() => undefined);
  if (!isDeepStrictEqual(recorded, JSON.parse(JSON.stringify(checked)))) {
    throw new OcrmError('RUN_DIRECTORY', `${run.root} was not claimed with this config.`, {
      hint: 'claim it first (ocrm run --executor slurm does; or ocrm run … with the same config).',
    });
  }
  const stage = options.stage;
  const round = /^weights-(\d+)$/.exec(stage)?.[1];
  const plan = planStages(checked).map((s) => s.name);
  const upstream =
    stage === 'pairs'
      ? ['sft']
      : stage === 'labels'
        ? ['pairs']
        : stage === 'eval'
          ? plan.slice(0, plan.indexOf('eval'))
          : ['labels', `ppo-${Number(round) - 1}`];
  for (const needed of upstream) {
    if (!(await run.isDone(needed))) {
      throw new OcrmError('RUN_DIRECTORY', `stage ${needed} of ${run.root} is not done yet.`, {
        hint: `run it first (ocrm stage ${run.root} ${needed}).`,
      });
    }
  }
  const ctx = await createStageContext(checked, run, {
    stages: options.stages,
    signal: options.signal,
    emit: (event) => options.onEvent?.(event),
    pairsDone: stage !== 'pairs',
  });
  const dir = stageShardDir(ctx, stage);
  const file = join(dir, `${index}-of-${count}.json${stage === 'pairs' ? 'l' : ''}`);
  // A shard written before (a resubmitted array) is kept: the same inputs give the same shard.
  const existing =
    stage === 'pairs' ? await readPairsShard(file) : await readJson<unknown>(file).catch(() => undefined);
  if (existing !== undefined) return { file, records: 0, skipped: 'already written' };
  const declined = shardsDeclined(ctx, stage);
  if (declined) return { records: 0, skipped: declined };
  if (stage === 'labels') {
    const scores = await judgeShard(ctx, await readPairs(runPaths(run).pairs), options.shard);
    await writeJsonAtomic(file, scores);
    return { file, records: scores.length / 2 };
  }
  if (stage === 'eval') {
    const entries = await ctx.runEvaluator.evaluateRun({
      ...(await evaluationRun(ctx)),
      shard: options.shard,
    });
    await writeJsonAtomic(file, entries);
    return { file, records: entries.length };
  }
  if (round) {
    const weighShard = ctx.pairWeighter.weighShard!; // present: shardsDeclined checked it
    const weighting = await weightingRun(ctx, stage, Number(round));
    await writeJsonAtomic(file, await weighShard.call(ctx.pairWeighter, weighting, options.shard));
    return { file, records: weighting.pairs.length };
  }
  const pairs = await samplePairsShard(ctx, stage, options.shard);
  await writeJsonl(file, pairs);
  return { file, records: pairs.length };
}
