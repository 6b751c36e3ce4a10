export {
  type AccumulateMicroBatchesOptions,
  accumulateMicroBatches,
  type MicroBatchOutcome,
} from './accumulate-micro-batches';
export { callModuleRef } from './call-module-ref';
export type { DataParallelOptions } from './data-parallel-options';
export type {
  GradientReplica,
  GradientReplicaFactory,
  MicroBatchGradients,
  TaskGradients,
} from './gradient-replica';
export { GradientWorkers, type GradientWorkersOptions } from './gradient-workers';
export type { ModuleRef } from './module-ref';
export { requireMicroBatches } from './require-micro-batches';
export { WorkerThreads, type WorkerThreadsOptions } from './worker-threads';
