import type { TrainEvent } from '../contracts/events';
import type { NamedVariables } from '../contracts/trainable';
import { throwIfAborted } from '../errors';
import type { AdamW } from './adamw';
import { saveCheckpoint } from './checkpoint';
import { loadCheckpointIfPresent } from './load-checkpoint-if-present';

/** What one optimizer step reports. */
export type StepMetrics = Record<string, number>;

/** Options of {@link trainingLoop}: everything a trainer does not own itself (its batches and its loss). */
export interface TrainingLoopOptions {
  /** Stage name in events. */
  stage: string;
  /** Optimizer steps of the whole run. */
  totalSteps: number;
  /** What the optimizer updates and the checkpoint stores, by stable name. */
  variables: NamedVariables;
  /** Its moments and step counts go into the checkpoint. */
  optimizer: AdamW;
  /**
   * The run's checkpoint folder: resumed from when it holds a checkpoint (the one resume convention of every
   * trainer), written every `checkpointEvery` steps, at the end, and when the run is aborted.
   */
  checkpointDir?: string;
  /** Checkpoint every this many steps (and after the last); 0 = only when aborted. */
  checkpointEvery: number;
  /** Evaluate every this many steps and after the last; 0 = only after the last. */
  evalEvery: number;
  signal?: AbortSignal;
  /**
   * Runs optimizer step `step` (0-based; its data are a function of the index, so a resumed run continues the same
   * stream) and returns its metrics.
   */
  step: (step: number) => StepMetrics | Promise<StepMetrics>;
  /** Held-out evaluation after `steps` finished steps; absent = none. */
  evaluate?: (steps: number) => StepMetrics | Promise<StepMetrics>;
  /** The data position stored in a checkpoint taken after `steps` steps (default `steps`). */
  dataPosition?: (steps: number) => number;
  /**
   * Trainer state beyond weights, moments and position to store in `checkpoint.json` (e.g. a running statistic),
   * read when the checkpoint is written.
   */
  checkpointExtra?: () => Record<string, unknown>;
  /** Receives the stored `checkpointExtra` when the run resumes from a checkpoint. */
  onResume?: (extra: Record<string, unknown>) => void;
  /**
   * Replaces the default resume (`loadCheckpointIfPresent(checkpointDir)`): restores what the trainer needs (e.g. a
   * checkpoint plus compatibility checks, or a warm start from another run) and returns the finished steps.
   */
  restore?: () => Promise<number>;
  /** Always checkpoint after the last step, also with `checkpointEvery` 0 (a segment that a later run continues). */
  checkpointAtEnd?: boolean;
}

/** What {@link trainingLoop} returns. */
export interface TrainingLoopResult {
  /** Steps finished (equals `totalSteps` unless it threw). */
  steps: number;
  /** The step the run started from (> 0 after a resume). */
  resumedAt: number;
  /** Metrics of the last step this call ran (empty when it ran none). */
  lastMetrics: StepMetrics;
  /** Metrics of the last evaluation (empty without one). */
  lastEval: StepMetrics;
}

function due(every: number, step: number, total: number): boolean {
  return (every > 0 && step % every === 0) || step === total;
}

/**
 * The loop every `@ocrm` trainer shares: resume from `checkpointDir`, `run-start`, then per step: abort check (an
 * aborted run saves a checkpoint of its last finished step first, with its `checkpoint` event — Ctrl-C never loses
 * work — and rejects with the signal's reason), the trainer's `step`, `step-end`, evaluation (`eval-end`) and checkpoint (`checkpoint`) on their
 * cadence. The trainer yields its own `run-end` with its summary: `const r = yield* trainingLoop({ … })`.
 */
export async function* trainingLoop(
  options: TrainingLoopOptions,
): AsyncGenerator<TrainEvent, TrainingLoopResult> {
  const { stage, totalSteps, variables, optimizer, checkpointDir, signal } = options;
  const position = options.dataPosition ?? ((steps: number) => steps);
  let step: number;
  if (options.restore) {
    step = await options.restore();
  } else {
    const resumed = await loadCheckpointIfPresent(checkpointDir, { variables, optimizer });
    step = resumed?.step ?? 0;
    if (resumed) options.onResume?.(resumed.extra);
  }
  const resumedAt = step;
  let saved = step;
  const save = async () => {
    await saveCheckpoint(checkpointDir as string, {
      variables,
      optimizer,
      step,
      dataPosition: position(step),
      extra: { stage, ...options.checkpointExtra?.() },
    });
    saved = step;
  };
  let lastMetrics: StepMetrics = {};
  let lastEval: StepMetrics = {};
  yield { type: 'run-start', stage, totalSteps, time: Date.now() };
  while (step < totalSteps) {
    // Let signal handlers (Ctrl-C) run between steps; an aborted run saves its last finished step, then stops.
    if (signal) await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) {
      if (checkpointDir && step > saved) {
        await save();
        yield { type: 'checkpoint', stage, step, path: checkpointDir, time: Date.now() };
      }
      throwIfAborted(signal);
    }
    lastMetrics = await options.step(step);
    step++;
    yield { type: 'step-end', stage, step, totalSteps, metrics: lastMetrics, time: Date.now() };
    if (options.evaluate && due(options.evalEvery, step, totalSteps)) {
      lastEval = await options.evaluate(step);
      yield { type: 'eval-end', stage, step, metrics: lastEval, time: Date.now() };
    }
    const final = options.checkpointAtEnd === true && step === totalSteps;
    if (
      checkpointDir &&
      ((options.checkpointEvery > 0 && due(options.checkpointEvery, step, totalSteps)) || final)
    ) {
      await save();
      yield { type: 'checkpoint', stage, step, path: checkpointDir, time: Date.now() };
    }
  }
  return { steps: step, resumedAt, lastMetrics, lastEval };
}
