export {
  type AccumulateMicroBatchesOptions,
  accumulateMicroBatches,
} from './accumulate-micro-batches';
export type { DataParallelOptions } from './data-parallel-options';
export type { GradientReplica, GradientReplicaFactory, TaskGradients } from './gradient-replica';
export { GradientWorkers, type GradientWorkersOptions } from './gradient-workers';
export type { ModuleRef } from './module-ref';
