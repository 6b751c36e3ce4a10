export {
  ADAMW_KERNEL,
  AdamW,
  type AdamWConfig,
  type AdamWKernelAttrs,
  type AdamWMoments,
  type AdamWState,
  DEFAULT_ADAMW_CONFIG,
  resolveAdamWConfig,
} from './adamw';
export {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  type CheckpointInfo,
  type LoadCheckpointOptions,
  loadCheckpoint,
  type SaveCheckpointOptions,
  saveCheckpoint,
} from './checkpoint';
export { type ClippedGrads, clipGradNorm } from './clip-grad-norm';
export { drive } from './drive';
export { GradientAccumulator } from './gradient-accumulator';
export {
  constantSchedule,
  cosineSchedule,
  type LrSchedule,
  linearSchedule,
  type ScheduleOptions,
} from './schedules';
export {
  type StepMetrics,
  type TrainingLoopOptions,
  type TrainingLoopResult,
  trainingLoop,
} from './training-loop';
