/**
 * @packageDocumentation
 * `@ocrm/pipeline`: composes the `@ocrm/*` stage packages into the RLHF / OCRM pipeline — config schema, presets,
 * run directory with resume, `runPipeline(config, { stages })`, reports over several runs.
 */
export * from './config/index';
export { type ModelCardInput, modelCard } from './hub/model-card';
export { type PushedStage, pushStage } from './hub/push-stage';
export type { PipelineStages, StageContext } from './run/context';
export type { PipelineEvent, StageName } from './run/events';
export { runPaths } from './run/paths';
export { type PlannedStage, planStages } from './run/plan';
export { evaluateRun, reportRuns } from './run/report-runs';
export type { PipelineResult, RoundSummary } from './run/result';
export { type RunPipelineOptions, runPipeline, runPipelineStages } from './run/run-pipeline';
export { type RunStageShardOptions, runStageShard } from './run/run-stage-shard';
export { isShardableStage, SHARDABLE_STAGES } from './run/stage-shards';
export { summarizeRun } from './run/summarize';
export {
  type JobResources,
  jobState,
  SLURM_ACTIVE_STATES,
  SLURM_FAILED_STATES,
  shellQuote,
  slurmCommand,
  submitJob,
} from './slurm/slurm-client';
export { rewardModelSeed } from './stages/reward-model';
export { seedFor } from './stages/seeds';
