import { isDeepStrictEqual } from 'node:util';
import {
  InvalidArgumentError,
  OcrmError,
  RunDirectory,
  type StageShard,
  writeJsonAtomic,
  writeJsonl,
} from '@ocrm/core';
import { type PipelineConfig, parsePipelineConfig, type UnresolvedPipelineConfig } from '../config/index';
import { judgeShard, labelsShardDir, labelsShardFile } from '../stages/labels-shards';
import { pairsShardDir, pairsShardFile, samplePairsShard } from '../stages/pairs-shards';
import type { PipelineStages } from './context';
import { createStageContext } from './create-context';
import type { PipelineEvent } from './events';
import { readPairs } from './pair-records';
import { runPaths } from './paths';

/** Stages whose work splits into shards (data-parallel, merged in order by the stage itself). */
export const SHARDABLE_STAGES: readonly string[] = ['pairs', 'labels'];

/** Options of {@link runStageShard}. */
export interface RunStageShardOptions {
  /** The run directory, already claimed with this config (`ocrm run … --executor slurm` or an earlier run). */
  outDir: string;
  /** The stage (one of {@link SHARDABLE_STAGES}). */
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
 * @returns the shard's file and its number of records
 * @throws InvalidArgumentError for a stage that cannot be sharded or a bad shard; OcrmError `RUN_DIRECTORY` when the
 * run directory holds another config or the stages before are not done.
 */
export async function runStageShard(
  config: PipelineConfig | UnresolvedPipelineConfig,
  options: RunStageShardOptions,
): Promise<{ file: string; records: number }> {
  if (!SHARDABLE_STAGES.includes(options.stage)) {
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
  const upstream = options.stage === 'pairs' ? 'sft' : 'pairs';
  if (!(await run.isDone(upstream))) {
    throw new OcrmError('RUN_DIRECTORY', `stage ${upstream} of ${run.root} is not done yet.`, {
      hint: `run it first (ocrm stage ${run.root} ${upstream}).`,
    });
  }
  const ctx = await createStageContext(checked, run, {
    stages: options.stages,
    signal: options.signal,
    emit: (event) => options.onEvent?.(event),
    pairsDone: options.stage !== 'pairs',
  });
  if (options.stage === 'labels') {
    if (checked.labels.source === 'dataset')
      throw new InvalidArgumentError('labels.source is dataset: there is nothing to score, drop the shards.');
    const scores = await judgeShard(ctx, await readPairs(runPaths(run).pairs), options.shard);
    const file = labelsShardFile(labelsShardDir(ctx), options.shard);
    await writeJsonAtomic(file, scores);
    return { file, records: scores.length / 2 };
  }
  const pairs = await samplePairsShard(ctx, options.stage, options.shard);
  const file = pairsShardFile(pairsShardDir(ctx), options.shard);
  await writeJsonl(file, pairs);
  return { file, records: pairs.length };
}
