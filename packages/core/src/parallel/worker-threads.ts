import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, WorkerError } from '../errors';
import type { ModuleRef } from './module-ref';

/** Options of {@link WorkerThreads.spawn}. */
export interface WorkerThreadsOptions {
  /** Threads to start (≥ 1). */
  count: number;
  /**
   * Sets up each thread's tfjs backend before anything else (e.g. `@ocrm/backend-wasm`'s `initBackend` with the main
   * thread's backend name): without it a thread runs tfjs's default backend, whose kernels may round differently.
   */
  backend?: ModuleRef;
}

/** The shipped worker script (plain JavaScript; resolved through the package's own exports). */
function workerScript(): string {
  return createRequire(import.meta.url).resolve('@ocrm/core/replica-worker');
}

/**
 * Worker threads with their tfjs backend set up, which {@link GradientWorkers} of one trainer after another use in
 * turn (each builds its own replica in them, and drops it when closed): a run with several training stages starts
 * its threads, imports tfjs and initialises the backend once instead of once per stage. Give them to the trainers
 * through `DataParallelOptions.threads`; a trainer without them starts (and stops) its own.
 *
 * Node only. The owner must {@link close} them (in a `finally`).
 */
export class WorkerThreads {
  private lent = false;
  private closed = false;
  private dead: string | undefined;
  private id = 0;
  private readonly started: Promise<void>;

  private constructor(
    /** @internal */ readonly workers: Worker[],
    backend: ModuleRef | undefined,
  ) {
    for (const [w, worker] of workers.entries()) {
      worker.on('exit', (code) => {
        this.dead ??= `worker ${w} exited (code ${code})`;
      });
      worker.on('error', (error) => {
        this.dead ??= `worker ${w} crashed: ${error.message}`;
      });
    }
    this.started = Promise.all(workers.map((worker) => waitStarted(worker, backend))).then(() => undefined);
    // A failure surfaces through ready(); never as an unhandled rejection before anyone asks.
    this.started.catch(() => undefined);
  }

  /**
   * Starts `count` threads now (they load tfjs and set up the backend meanwhile: await {@link ready} before use).
   * @throws InvalidArgumentError for a bad count.
   */
  static spawn(options: WorkerThreadsOptions): WorkerThreads {
    const { count, backend } = options;
    if (!Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError(`WorkerThreads: count must be an integer ≥ 1, got ${count}.`);
    }
    const script = workerScript();
    return new WorkerThreads(
      Array.from({ length: count }, () => new Worker(script, { workerData: { backend } })),
      backend,
    );
  }

  /** Number of threads. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Resolves once every thread has set up its backend.
   * @throws WorkerError (rejects) when a thread could not (the message names the backend module and the error).
   */
  ready(): Promise<void> {
    return this.started;
  }

  /**
   * Lends the threads to one user at a time (`GradientWorkers.start`).
   * @throws WorkerError when they are lent already, closed, or a thread has died.
   * @internal
   */
  lend(): Worker[] {
    const why = this.closed
      ? 'they are closed'
      : this.dead
        ? `${this.dead}`
        : this.lent
          ? 'another trainer holds them (close its GradientWorkers first)'
          : undefined;
    if (why) throw new WorkerError(`WorkerThreads: cannot lend the threads: ${why}.`);
    this.lent = true;
    return this.workers;
  }

  /** Takes the threads back (their user has dropped its replicas). @internal */
  giveBack(): void {
    this.lent = false;
  }

  /** A message id unique across every user of these threads (late answers never match a later user's). @internal */
  nextId(): number {
    return this.id++;
  }

  /** Stops every thread. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** A message from the worker script (see `worker/replica-worker.mjs`). @internal */
export type WorkerReply = { type: string; id?: number; message?: string; stack?: string } & Record<
  string,
  unknown
>;

/**
 * Waits for the reply `settle` recognises (it returns the value, or an Error to reject with; undefined for a message
 * that is not the one); rejects when the thread crashes or exits meanwhile, naming `what` it was doing.
 * @internal
 */
export function awaitReply<T>(
  worker: Worker,
  what: string,
  settle: (message: WorkerReply) => { value: T } | Error | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: WorkerReply) => {
      const outcome = settle(message);
      if (outcome === undefined) return;
      cleanup();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome.value);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new WorkerError(`${what}: a worker crashed: ${error.message}`, { cause: error }));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new WorkerError(`${what}: a worker exited (code ${code}).`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** Resolves once the thread posts `started`; rejects when it fails to set up its backend or exits. */
function waitStarted(worker: Worker, backend: ModuleRef | undefined): Promise<void> {
  return awaitReply<void>(worker, 'WorkerThreads: starting', (message) => {
    if (message.type === 'started') return { value: undefined };
    if (message.type !== 'error') return undefined;
    return new WorkerError(
      `WorkerThreads: a thread could not set up its backend (${backend?.module ?? 'tfjs default'}): ${message.message}`,
      { cause: message.stack },
    );
  });
}
