import type { TrainEvent } from '@ocrm/core';

/** A stage of the pipeline, as named in the run directory (`sft`, `pairs`, `labels`, `rm-1`, `ppo-1`, …). */
export type StageName = string;

/**
 * Events of a pipeline run: its own stage events plus every event of the stage trainers (`TrainEvent`).
 * All of them are appended to the run's `metrics.jsonl`.
 */
export type PipelineEvent =
  | { type: 'pipeline-start'; outDir: string; stages: StageName[]; time: number }
  | { type: 'stage-start'; stage: StageName; time: number }
  | { type: 'stage-skip'; stage: StageName; reason: string; time: number }
  /** A stage folder made under other inputs was removed: the stage runs again (reason: what changed). */
  | { type: 'stage-rerun'; stage: StageName; reason: string; time: number }
  | { type: 'stage-end'; stage: StageName; seconds: number; summary: Record<string, number>; time: number }
  | { type: 'warning'; stage: StageName; message: string; time: number }
  | { type: 'pipeline-end'; outDir: string; seconds: number; reportPath?: string; time: number }
  | TrainEvent;
