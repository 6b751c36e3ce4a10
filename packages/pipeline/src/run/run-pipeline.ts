import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  ConfigError,
  type DataParallelOptions,
  InvalidArgumentError,
  lockRunDirectory,
  OcrmError,
  RunDirectory,
  readJson,
  throwIfAborted,
  writeJsonAtomic,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { checkModelFitsBackend } from '../config/memory-estimate';
import { parsePipelineConfig } from '../config/resolve';
import type { PipelineConfig, UnresolvedPipelineConfig } from '../config/schema';
import { dpoStage } from '../stages/dpo';
import { evalStage } from '../stages/evaluate';
import { labelsStage, pairsStage } from '../stages/pairs';
import { ppoStage } from '../stages/ppo';
import { reportStage } from '../stages/report';
import { rewardModelStage } from '../stages/reward-model';
import { sftStage } from '../stages/sft';
import { weightsStage } from '../stages/weights';
import { backendFailure } from './backend-failure';
import type { PipelineStages, StageRunner } from './context';
import { createStageContext } from './create-context';
import { dataParallelBlocker } from './data-parallel-stages';
import type { PipelineEvent } from './events';
import { FINGERPRINT_FILE } from './fingerprint-file';
import { fingerprintHolds } from './fingerprint-holds';
import { type StageFingerprint, stageFingerprints, whyChanged } from './fingerprints';
import { runPaths } from './paths';
import { type PlannedStage, planStages } from './plan';
import type { PipelineResult } from './result';
import { resumeStep } from './resume-records';
import { stageTakesShards } from './stage-shards';
import { summarizeRun } from './summarize';
import { TensorBoardSink } from './tensorboard/tensorboard-sink';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** The run directory (created if missing; an existing one is resumed). */
  outDir: string;
  /** Swapped stage implementations. */
  stages?: PipelineStages;
  /** Redo every stage, even those whose inputs are unchanged. */
  force?: boolean;
  /**
   * Run only these stages of the plan (one job of a distributed executor, `ocrm stage`): every planned stage before the
   * first of them must be done already; later stages are left alone. `[]` only claims the run directory (saves the
   * config, checks fingerprints). `summary.json` is written once the plan's last stage is done.
   */
  only?: readonly string[];
  /**
   * Shards of the data-parallel stages `pairs`, `labels`, `weights-k` and `eval` (default 1): their shard files written
   * by other processes (see {@link runStageShard}) are merged, the missing ones computed here. The outputs are the same
   * for any count.
   */
  shards?: number;
  /**
   * With `shards` > 1: computes the shard files of data-parallel stage `stage` elsewhere — other processes, e.g. `ocrm
   * stage <outDir> <stage> --shard i/n` each — and resolves once they are written; the stage then merges them (any
   * missing shard is computed in this process). Called before each data-parallel stage that is not done and takes
   * shards in this run (see `stageTakesShards`: not for a component that cannot shard or an inexpensive judge).
   * Absent: this process computes every shard.
   */
  runShards?: (stage: string, shards: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Worker threads for the training stages whose trainer supports data parallelism (today the reference
   * `SftTrainer`): the same numbers, more cores, when `sft.microBatchSize` is below `sft.batchSize`.
   */
  dataParallel?: DataParallelOptions;
  signal?: AbortSignal;
  onEvent?: (event: PipelineEvent) => void;
}

const RUNNERS: Record<PlannedStage['kind'], StageRunner> = {
  sft: sftStage,
  pairs: pairsStage,
  labels: labelsStage,
  rm: rewardModelStage,
  ppo: ppoStage,
  weights: weightsStage,
  dpo: dpoStage,
  eval: evalStage,
  report: reportStage,
};

/**
 * Runs the RLHF / OCRM pipeline of `config` in `outDir` (docs/run-directory.md): the folder is locked (one writer),
 * the resolved config saved; each stage records its fingerprint, writes its own folder and its `done` marker last;
 * a rerun skips finished stages whose fingerprint is unchanged, redoes those whose inputs changed (a changed config
 * keeps every unaffected stage), resumes a stage from its checkpoint; every event goes to `metrics.jsonl`. Libraries
 * never pick a backend: call `initBackend()` first.
 *
 * @throws OcrmError `RUN_DIRECTORY` when another process holds the folder's lock; `ABORTED` when `signal` fires
 * (the current step finishes and is saved; rerun to resume).
 */
export async function runPipeline(
  config: PipelineConfig | UnresolvedPipelineConfig,
  options: Omit<RunPipelineOptions, 'only'>,
): Promise<PipelineResult> {
  const result = await runPipelineStages(config, { ...options, only: undefined });
  return result as PipelineResult;
}

/**
 * {@link runPipeline} for some stages of the plan (`options.only`): what one job of a distributed executor runs
 * (`ocrm stage <runDir> <stage>`, one SLURM job per stage). The same checks, lock, fingerprints and stage code as a
 * whole run, so the files written are the same.
 * @returns the run's result once the plan's last stage is done (`summary.json` written), else `undefined`.
 * @throws OcrmError `RUN_DIRECTORY` when a stage before the requested ones is not done.
 */
export async function runPipelineStages(
  config: PipelineConfig | UnresolvedPipelineConfig,
  options: RunPipelineOptions,
): Promise<PipelineResult | undefined> {
  // Checked and resolved again (a config built in code may carry partial sections): what config.json records.
  const checked = parsePipelineConfig(config);
  if (options.dataParallel) {
    const blockers = (['sft', 'rm', 'ppo'] as const).flatMap((s) => dataParallelBlocker(checked, s) ?? []);
    if (blockers.length === 3) {
      throw new ConfigError(
        'sft.microBatchSize',
        `data-parallel workers (dataParallel, ocrm run --workers) would have nothing to compute: ${blockers.join('; ')}.`,
      );
    }
  }
  const started = Date.now();
  const run = new RunDirectory(options.outDir);
  let pending: Promise<void> = Promise.resolve();
  const tensorboard = checked.tensorboard ? new TensorBoardSink(join(run.root, 'tensorboard')) : undefined;
  const emit = (event: PipelineEvent) => {
    options.onEvent?.(event);
    pending = pending
      .then(() => run.appendMetrics(event as unknown as Record<string, unknown>))
      .then(() => tensorboard?.write(event));
  };
  const ctx = await createStageContext(checked, run, {
    stages: options.stages,
    signal: options.signal,
    emit,
    pairsDone: await run.isDone('pairs'),
  });
  ctx.shards = options.shards;
  ctx.dataParallel = options.dataParallel;
  // A model that cannot fit the backend's memory fails now, not minutes into a stage.
  const localConfig =
    checked.model.source === 'local'
      ? await readJson<Record<string, unknown>>(join(checked.model.path, 'config.json'))
      : undefined;
  checkModelFitsBackend(checked, ctx.task, tf.getBackend(), localConfig);
  // Everything above fails on bad input (task, judge, weighting module, model folder) before the run directory is
  // touched. Then one writer: the lock is taken before anything is written, and an existing run directory with
  // another config is refused.
  let lost: Error | undefined;
  const lock = await lockRunDirectory(run.root, {
    onCompromised: (error) => {
      lost = error;
    },
  });
  const checkLock = () => {
    if (lost) {
      throw new OcrmError('RUN_DIRECTORY', `the lock of ${run.root} was lost: ${lost.message}`, {
        hint: 'another process may be writing this run directory; rerun when it is done.',
      });
    }
  };
  try {
    return await runLocked();
  } finally {
    await lock.release();
  }

  async function runLocked(): Promise<PipelineResult | undefined> {
    const fingerprints = await claimRunDirectory(run, checked, options.force ?? false, emit);

    const plan = planStages(checked);
    const stageSeconds: Record<string, number> = {};
    emit({ type: 'pipeline-start', outDir: run.root, stages: plan.map((s) => s.name), time: Date.now() });
    try {
      const only = options.only === undefined ? undefined : new Set(options.only);
      const unknown = [...(only ?? [])].filter((name) => !plan.some((s) => s.name === name));
      if (unknown.length > 0) {
        throw new InvalidArgumentError(
          `no stage ${unknown.map((n) => `\`${n}\``).join(', ')} in this run's plan (${plan.map((s) => s.name).join(', ')}).`,
        );
      }
      let reached = 0;
      for (const stage of plan) {
        checkLock();
        if (only && !only.has(stage.name)) {
          // Before the stages to run: they must be done; after them: not this job's business.
          if (reached < only.size && !(await run.isDone(stage.name))) {
            throw new OcrmError('RUN_DIRECTORY', `stage ${stage.name} of ${run.root} is not done yet.`, {
              hint: `run it first (ocrm stage ${run.root} ${stage.name}), or the whole plan with ocrm run.`,
            });
          }
          continue;
        }
        reached++;
        if (await run.isDone(stage.name)) {
          emit({
            type: 'stage-skip',
            stage: stage.name,
            reason: 'done marker present, inputs unchanged',
            time: Date.now(),
          });
          continue;
        }
        throwIfAborted(options.signal);
        // A resumed stage writes its records past its checkpoint again: drop the old ones first.
        await pending;
        const resumed = await resumeStep(run, stage.name);
        await run.truncateMetrics(stage.name, resumed);
        await tensorboard?.restart(stage.name, resumed ?? 0);
        emit({ type: 'stage-start', stage: stage.name, time: Date.now() });
        const t0 = performance.now();
        await run.stageDir(stage.name);
        await writeJsonAtomic(
          join(run.stagePath(stage.name), FINGERPRINT_FILE),
          fingerprints.get(stage.name),
        );
        if ((options.shards ?? 1) > 1 && options.runShards && stageTakesShards(ctx, stage.name)) {
          await options.runShards(stage.name, options.shards as number, options.signal);
          checkLock();
        }
        const summary = await RUNNERS[stage.kind](ctx, stage).catch((error: unknown) => {
          throw backendFailure(error, stage.name);
        });
        const seconds = (performance.now() - t0) / 1000;
        stageSeconds[stage.name] = seconds;
        await pending;
        await run.markDone(stage.name, { seconds, summary });
        emit({ type: 'stage-end', stage: stage.name, seconds, summary, time: Date.now() });
      }
    } finally {
      await pending;
      await ctx.workerThreads?.close();
      ctx.workerThreads = undefined;
    }

    const last = plan.at(-1);
    if (options.only && last && !(await run.isDone(last.name))) return undefined;
    const summary = await summarizeRun(run.root);
    // Every stage's time from its done marker, in plan order, whichever process ran it (a resumed or distributed
    // run included).
    const allSeconds: Record<string, number> = {};
    for (const stage of plan) {
      const done = await run.readDone(stage.name);
      const seconds = typeof done?.seconds === 'number' ? done.seconds : stageSeconds[stage.name];
      if (seconds !== undefined) allSeconds[stage.name] = seconds;
    }
    const result: PipelineResult = {
      outDir: run.root,
      method: checked.method,
      seed: checked.seed,
      sft: summary.sft ?? { round: 0, stage: 'sft', gold: Number.NaN, winRate: Number.NaN, klToSft: 0 },
      rounds: summary.rounds,
      stageSeconds: allSeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      reportPath: runPaths(run).report,
    };
    await writeJsonAtomic(runPaths(run).summary, result);
    emit({
      type: 'pipeline-end',
      outDir: run.root,
      seconds: (Date.now() - started) / 1000,
      reportPath: result.reportPath,
      time: Date.now(),
    });
    await pending;
    return result;
  }
}

export { FINGERPRINT_FILE } from './fingerprint-file';

/**
 * Saves the config and decides, like a build system, which stages of an existing run directory stay: a stage whose
 * fingerprint (the config values it reads and its inputs' fingerprints, see `fingerprints.ts`) equals the one it
 * was made with is kept; any other stage folder is removed, so it reruns from scratch (never from a checkpoint made
 * under other inputs). With `force` every stage reruns. Emits `stage-rerun` events saying why.
 */
async function claimRunDirectory(
  run: RunDirectory,
  config: PipelineConfig,
  force: boolean,
  emit: (event: PipelineEvent) => void,
): Promise<Map<string, StageFingerprint>> {
  const fingerprints = stageFingerprints(config);
  let existing: unknown;
  try {
    existing = await run.readConfig();
  } catch (error) {
    if (!(OcrmError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
  }
  const sameConfig =
    existing !== undefined &&
    isDeepStrictEqual(resolvedIfValid(existing), JSON.parse(JSON.stringify(config)));
  const planned = planStages(config).map((s) => s.name);
  // Kept stages (plan order, upstream first) → the hash recorded in their folder.
  const kept = new Map<string, string>();
  const stale = existing === undefined ? [] : planStages(existing as PipelineConfig).map((s) => s.name);
  for (const stage of [...new Set([...planned, ...stale])]) {
    const dir = run.stagePath(stage);
    if (!existsSync(dir)) continue;
    const now = fingerprints.get(stage);
    let recorded: StageFingerprint | undefined;
    try {
      recorded = await readJson<StageFingerprint>(join(dir, FINGERPRINT_FILE));
    } catch {
      recorded = undefined;
    }
    // Folders made before fingerprints existed are kept when the config is unchanged.
    const keep =
      !force && now !== undefined && (recorded ? fingerprintHolds(recorded, now, kept) : sameConfig);
    if (keep) {
      if (recorded) kept.set(stage, recorded.hash);
      continue;
    }
    const reason = force ? 'forced' : now === undefined ? 'not in the new plan' : whyChanged(recorded, now);
    await rm(dir, { recursive: true, force: true });
    if (now !== undefined) emit({ type: 'stage-rerun', stage, reason, time: Date.now() });
  }
  await run.writeConfig(config);
  return fingerprints;
}

/** A run directory's recorded config resolved as a run would resolve it (an older, partial one included). */
function resolvedIfValid(existing: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(parsePipelineConfig(existing)));
  } catch {
    return existing;
  }
}
