import { isDeepStrictEqual } from 'node:util';
import { lockRunDirectory, OcrmError, RunDirectory, throwIfAborted, writeJsonAtomic } from '@ocrm/core';
import { type PipelineConfig, pipelineConfigSchema } from '../config/schema';
import { dpoStage } from '../stages/dpo';
import { evalStage } from '../stages/evaluate';
import { labelsStage, pairsStage } from '../stages/pairs';
import { ppoStage } from '../stages/ppo';
import { reportStage } from '../stages/report';
import { rewardModelStage } from '../stages/reward-model';
import { sftStage } from '../stages/sft';
import { weightsStage } from '../stages/weights';
import type { PipelineStages, StageRunner } from './context';
import { createStageContext } from './create-context';
import type { PipelineEvent } from './events';
import { runPaths } from './paths';
import { type PlannedStage, planStages } from './plan';
import type { PipelineResult } from './result';
import { resumeStep } from './resume-records';
import { summarizeRun } from './summarize';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** The run directory (created if missing; an existing one is resumed). */
  outDir: string;
  /** Swapped stage implementations. */
  stages?: PipelineStages;
  /** Accept an existing run directory whose config differs: its stages are all redone. */
  force?: boolean;
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
 * Runs the RLHF / OCRM pipeline of `config` in `outDir` (DESIGN §4-5): the resolved config is saved first; each
 * stage writes its own folder and its `done` marker last; a rerun skips finished stages and resumes PPO from its
 * checkpoint; every event goes to `metrics.jsonl`. Libraries never pick a backend: call `initBackend()` first.
 *
 * @throws OcrmError `RUN_DIRECTORY` when `outDir` holds a run with another config (unless `force`); `ABORTED` when
 * `signal` fires (the current step finishes and is saved; rerun to resume).
 */
export async function runPipeline(
  config: PipelineConfig,
  options: RunPipelineOptions,
): Promise<PipelineResult> {
  const checked = pipelineConfigSchema.parse(config);
  const started = Date.now();
  const run = new RunDirectory(options.outDir);
  let pending: Promise<void> = Promise.resolve();
  const emit = (event: PipelineEvent) => {
    options.onEvent?.(event);
    pending = pending.then(() => run.appendMetrics(event as unknown as Record<string, unknown>));
  };
  const ctx = await createStageContext(checked, run, {
    stages: options.stages,
    signal: options.signal,
    emit,
  });
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

  async function runLocked(): Promise<PipelineResult> {
    await claimRunDirectory(run, checked, options.force ?? false);

    const plan = planStages(checked);
    const stageSeconds: Record<string, number> = {};
    emit({ type: 'pipeline-start', outDir: run.root, stages: plan.map((s) => s.name), time: Date.now() });
    try {
      for (const stage of plan) {
        checkLock();
        if (await run.isDone(stage.name)) {
          emit({ type: 'stage-skip', stage: stage.name, reason: 'done marker present', time: Date.now() });
          continue;
        }
        throwIfAborted(options.signal);
        // A resumed stage writes its records past its checkpoint again: drop the old ones first.
        await pending;
        await run.truncateMetrics(stage.name, await resumeStep(run, stage.name));
        emit({ type: 'stage-start', stage: stage.name, time: Date.now() });
        const t0 = performance.now();
        await run.stageDir(stage.name);
        const summary = await RUNNERS[stage.kind](ctx, stage);
        const seconds = (performance.now() - t0) / 1000;
        stageSeconds[stage.name] = seconds;
        await pending;
        await run.markDone(stage.name, { seconds, summary });
        emit({ type: 'stage-end', stage: stage.name, seconds, summary, time: Date.now() });
      }
    } finally {
      await pending;
    }

    const summary = await summarizeRun(run.root);
    const result: PipelineResult = {
      outDir: run.root,
      method: checked.method,
      seed: checked.seed,
      sft: summary.sft ?? { round: 0, stage: 'sft', gold: Number.NaN, winRate: Number.NaN, klToSft: 0 },
      rounds: summary.rounds,
      stageSeconds,
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

/** Saves the config of a new run, or checks that an existing run directory was made with the same config. */
async function claimRunDirectory(run: RunDirectory, config: PipelineConfig, force: boolean): Promise<void> {
  let existing: unknown;
  try {
    existing = await run.readConfig();
  } catch (error) {
    if (!(OcrmError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
  }
  if (existing !== undefined && !isDeepStrictEqual(existing, JSON.parse(JSON.stringify(config)))) {
    if (!force) {
      throw new OcrmError('RUN_DIRECTORY', `${run.root} holds a run made with a different config.`, {
        hint: 'Use another --out, or --force to redo every stage there with the new config.',
      });
    }
    const stages = new Set(
      [...planStages(existing as PipelineConfig), ...planStages(config)].map((s) => s.name),
    );
    for (const stage of stages) await run.clearDone(stage);
  }
  await run.writeConfig(config);
}
