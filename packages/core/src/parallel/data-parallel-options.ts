import type { ModuleRef } from './module-ref';
import type { WorkerThreads } from './worker-threads';

/**
 * Data parallelism of one trainer: `workers` threads compute micro-batches beside the main thread
 * ({@link GradientWorkers}); the numbers equal those of one thread with the same micro-batches, bit for bit.
 * A step runs up to `workers + 1` micro-batches at once, so it needs `batchSize / microBatchSize ≥ 2` to gain.
 */
export interface DataParallelOptions {
  /** Worker threads beside the main thread (≥ 1). */
  workers: number;
  /**
   * Sets up each worker's tfjs backend like the main thread's (e.g. `@ocrm/backend-wasm`'s `initBackend`); without
   * it a worker runs tfjs's default backend.
   */
  backend?: ModuleRef;
  /**
   * `workers` threads started before, with their backend set up (e.g. by a pipeline, for all its training stages):
   * the trainer builds its replicas in them and hands them back when done, instead of starting and stopping its own.
   */
  threads?: WorkerThreads;
}
