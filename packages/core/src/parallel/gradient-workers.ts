import type { Worker } from 'node:worker_threads';
import type { NamedVariables } from '../contracts/trainable';
import { InvalidArgumentError, WorkerError } from '../errors';
import type { TaskGradients } from './gradient-replica';
import type { ModuleRef } from './module-ref';
import { awaitReply, WorkerThreads } from './worker-threads';

/** Options of {@link GradientWorkers.start}. */
export interface GradientWorkersOptions {
  /** Worker threads to start (≥ 1); with the main thread, `count + 1` micro-batches run at a time. */
  count: number;
  /** The module exporting the trainer's `GradientReplicaFactory`, and its options. */
  replica: ModuleRef;
  /**
   * Sets up the worker's tfjs backend before the replica is built (e.g. `@ocrm/backend-wasm`'s `initBackend` with
   * the main thread's backend name): without it the worker runs tfjs's default backend, whose kernels may round
   * differently from the main thread's. Ignored with `threads` (theirs is set up).
   */
  backend?: ModuleRef;
  /** Every weight of the main model by name: each replica must have the same names and shapes; all values are sent. */
  weights: NamedVariables;
  /**
   * Threads started before (`count` of them), e.g. kept by a pipeline across its training stages: the replicas are
   * built in them and dropped at {@link GradientWorkers.close}, which leaves them running. Absent: new threads,
   * stopped at `close`.
   */
  threads?: WorkerThreads;
}

const CLOSED = 'GradientWorkers: closed.';

type Pending = { resolve: (result: never) => void; reject: (error: Error) => void };

/** A float32 copy of each variable's current value, by name (copies: a transfer must never detach backend memory). */
function snapshot(variables: NamedVariables): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  for (const [name, variable] of Object.entries(variables)) {
    if (variable.dtype !== 'float32') {
      throw new InvalidArgumentError(
        `GradientWorkers: weight \`${name}\` is ${variable.dtype}, not float32.`,
      );
    }
    values[name] = new Float32Array(variable.dataSync() as Float32Array);
  }
  return values;
}

/**
 * Worker threads that each hold a replica of a model and compute the loss and gradients of micro-batches: data
 * parallelism for one training run on a multi-core machine (tfjs-wasm runs one thread per process under Node).
 * The main thread keeps the optimizer; after each step it posts the trainable weights' new values ({@link sync}).
 * Used through {@link accumulateMicroBatches}, which adds every micro-batch's gradients in the order one process
 * would, so that a run with workers gives the same numbers as one without. A replica with `evaluate` also answers
 * queries without gradients ({@link evaluate}; `Query` and `Answer` are their types), e.g. a share of PPO's rollout.
 *
 * Node only. The caller owns the workers and must {@link close} them (in a `finally`).
 */
export class GradientWorkers<Task, Query = never, Answer = never> {
  private failure: Error | undefined;
  private readonly detach: (() => void)[] = [];

  private constructor(
    private readonly threads: WorkerThreads,
    private readonly owned: boolean,
    private readonly workers: Worker[],
    private readonly pending: Map<number, Pending>[],
  ) {}

  /**
   * Starts `count` workers (or borrows `options.threads`), builds a replica in each (backend first), checks its
   * weights' names and shapes against `weights` and sends their values.
   * @throws InvalidArgumentError for a bad count or threads of another size; WorkerError when a worker cannot start
   *   or build its replica (the message names the module and the worker's error), after stopping the threads it
   *   started or handing back the ones it borrowed, or when the threads are lent to another trainer or closed.
   */
  static async start<Task, Query = never, Answer = never>(
    options: GradientWorkersOptions,
  ): Promise<GradientWorkers<Task, Query, Answer>> {
    const { count, replica, backend, weights } = options;
    if (!Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError(`GradientWorkers: count must be an integer ≥ 1, got ${count}.`);
    }
    if (options.threads && options.threads.size !== count) {
      throw new InvalidArgumentError(
        `GradientWorkers: ${count} workers asked for, but the threads given are ${options.threads.size}.`,
      );
    }
    const owned = options.threads === undefined;
    const threads = options.threads ?? WorkerThreads.spawn({ count, backend });
    let workers: Worker[] | undefined;
    try {
      await threads.ready();
      const lent = threads.lend();
      workers = lent;
      const shapes = await Promise.all(lent.map((worker) => buildReplica(worker, replica, threads.nextId())));
      const expected = Object.entries(weights).map(([name, v]) => `${name} [${v.shape}]`);
      shapes.forEach((got, w) => {
        const actual = Object.entries(got).map(([name, shape]) => `${name} [${shape}]`);
        if (actual.join('\n') !== expected.join('\n')) {
          const missing = expected.filter((e) => !actual.includes(e));
          const extra = actual.filter((a) => !expected.includes(a));
          throw new WorkerError(
            `GradientWorkers: worker ${w}'s replica (${replica.module}) does not match the main model's weights ` +
              `(missing or different: ${missing.slice(0, 3).join(', ') || 'none'}; extra: ${extra.slice(0, 3).join(', ') || 'none'}).`,
            {
              hint: 'The replica factory must build the same architecture, with the same weight names, as the trainer.',
            },
          );
        }
      });
    } catch (error) {
      if (owned) await threads.close();
      else if (workers) {
        for (const worker of workers) worker.postMessage({ type: 'release' });
        threads.giveBack();
      }
      throw error;
    }
    const pool = new GradientWorkers<Task, Query, Answer>(
      threads,
      owned,
      workers,
      workers.map(() => new Map()),
    );
    for (const [w, worker] of workers.entries()) pool.listen(worker, w);
    pool.sync(weights);
    return pool;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Posts the current values of `variables` (a subset of the weights, e.g. the trainable ones after an optimizer
   * step) to every worker; tasks computed after this call see them (each worker handles its messages in order).
   */
  sync(variables: NamedVariables): void {
    this.throwIfFailed();
    const values = snapshot(variables);
    this.workers.forEach((worker, w) => {
      if (w === this.workers.length - 1) {
        worker.postMessage(
          { type: 'weights', values },
          Object.values(values).map((v) => v.buffer as ArrayBuffer),
        );
      } else {
        worker.postMessage({ type: 'weights', values });
      }
    });
  }

  /**
   * Computes `tasks` (plain data, posted by structured clone) in worker `index`, one after another.
   * @returns each task's loss value and gradients, in the tasks' order.
   * @throws WorkerError (rejects) when the worker throws or exits.
   */
  compute(index: number, tasks: readonly Task[]): Promise<TaskGradients[]> {
    return this.request<TaskGradients[]>(index, { type: 'tasks', tasks });
  }

  /**
   * Answers `query` (plain data) in worker `index` with its replica's `evaluate` and the weights posted so far (call
   * {@link sync} first for the current ones). Messages to one worker are handled in order, one at a time.
   * @returns the replica's answer (a structured clone).
   * @throws WorkerError (rejects) when the replica has no `evaluate`, throws, or the worker exits.
   */
  evaluate(index: number, query: Query): Promise<Answer> {
    return this.request<Answer>(index, { type: 'evaluate', query });
  }

  private request<T>(
    index: number,
    message: { type: 'tasks' | 'evaluate' } & Record<string, unknown>,
  ): Promise<T> {
    this.throwIfFailed();
    const worker = this.workers[index];
    if (!worker) throw new InvalidArgumentError(`GradientWorkers: no worker ${index} (size ${this.size}).`);
    const id = this.threads.nextId();
    return new Promise<T>((resolve, reject) => {
      this.pending[index]!.set(id, { resolve: resolve as (result: never) => void, reject });
      worker.postMessage({ ...message, id });
    });
  }

  /**
   * Stops every worker (their replicas are disposed with their threads); with `threads` given at start, drops the
   * replicas and hands the threads back instead. Idempotent.
   */
  async close(): Promise<void> {
    if (this.failure?.message === CLOSED) return;
    const error = new WorkerError(CLOSED);
    this.failure = error;
    for (const pending of this.pending) {
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    }
    for (const off of this.detach) off();
    if (this.owned) await this.threads.close();
    else {
      for (const worker of this.workers) worker.postMessage({ type: 'release' });
      this.threads.giveBack();
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private listen(worker: Worker, w: number): void {
    const pending = this.pending[w]!;
    const failAll = (error: Error) => {
      this.failure ??= error;
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    };
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'result' || message.type === 'answer') {
        const result = message.type === 'result' ? message.results : message.answer;
        pending.get(message.id)?.resolve(result as never);
        pending.delete(message.id);
      } else if (message.type === 'error' && (message.id === undefined || pending.has(message.id))) {
        failAll(
          new WorkerError(`GradientWorkers: worker ${w} failed: ${message.message}`, {
            cause: message.stack,
          }),
        );
      }
    };
    const onError = (error: Error) =>
      failAll(new WorkerError(`GradientWorkers: worker ${w} crashed: ${error.message}`, { cause: error }));
    const onExit = (code: number) => {
      if (pending.size > 0)
        failAll(new WorkerError(`GradientWorkers: worker ${w} exited (code ${code}) with tasks pending.`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    this.detach.push(() => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    });
  }
}

type WorkerMessage =
  | { type: 'ready'; id: number; shapes: Record<string, number[]> }
  | { type: 'result'; id: number; results: TaskGradients[] }
  | { type: 'answer'; id: number; answer: unknown }
  | { type: 'error'; id?: number; message: string; stack?: string };

/**
 * Asks `worker` to build a replica (dropping any it holds); resolves with its weight shapes once built, rejects when
 * it fails to or the thread dies.
 */
function buildReplica(worker: Worker, replica: ModuleRef, id: number): Promise<Record<string, number[]>> {
  const built = awaitReply<Record<string, number[]>>(
    worker,
    'GradientWorkers: building a replica',
    (message) => {
      if (message.id !== id) return undefined;
      if (message.type === 'ready') return { value: message.shapes as Record<string, number[]> };
      if (message.type !== 'error') return undefined;
      return new WorkerError(
        `GradientWorkers: a worker could not build its replica (${replica.module}): ${message.message}`,
        {
          cause: message.stack,
          hint: 'Check that the module exists (build it) and that its export builds the replica from these options.',
        },
      );
    },
  );
  worker.postMessage({ type: 'replica', id, replica });
  return built;
}
