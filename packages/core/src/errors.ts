/**
 * One error hierarchy for every `@ocrm/*` package.
 *
 * Every error thrown on purpose by an OCRM package is an {@link OcrmError} with a stable `code`, so callers branch on
 * the code (never on message text). `OcrmError.isInstance` works across two installed copies of `@ocrm/core` (it checks
 * a global symbol marker, not the prototype chain).
 */

const MARKER = Symbol.for('@ocrm/core/error');

/** Stable machine-readable error codes. New codes may be added; existing ones never change meaning. */
export type OcrmErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_CONFIG'
  | 'INVALID_DATA'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'BACKEND_UNAVAILABLE'
  | 'SHAPE_MISMATCH'
  | 'IO'
  | 'HUB'
  | 'OFFLINE_MISS'
  | 'ABORTED'
  | 'NUMERIC'
  | 'RUN_DIRECTORY'
  | 'CONTRACT'
  /** A backend's memory ran out (the tfjs-wasm heap is one 4 GiB memory). */
  | 'OUT_OF_MEMORY'
  /** An external executor (SLURM) refused a submission or a job it ran failed. */
  | 'EXECUTOR'
  /** A worker thread could not start its backend or replica, or failed while computing. */
  | 'WORKER';

/** Options accepted by every OCRM error constructor. */
export interface OcrmErrorOptions {
  /** The underlying error, kept as `cause`. */
  cause?: unknown;
  /** What the user can do about it; appended to the message. */
  hint?: string;
}

/** Base class of every error an OCRM package throws on purpose. */
export class OcrmError extends Error {
  /** Marker that survives duplicated package installs; see {@link OcrmError.isInstance}. */
  readonly [MARKER] = true;
  /** Stable code to branch on. */
  readonly code: OcrmErrorCode;
  /** What to do next, when known. */
  readonly hint?: string;

  constructor(code: OcrmErrorCode, message: string, options: OcrmErrorOptions = {}) {
    super(options.hint ? `${message}\n  → ${options.hint}` : message, { cause: options.cause });
    this.name = 'OcrmError';
    this.code = code;
    this.hint = options.hint;
  }

  /** True for any OCRM error, even one created by another installed copy of `@ocrm/core`. */
  static isInstance(error: unknown): error is OcrmError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** A function was called with an argument it cannot use (wrong shape, out of range, inconsistent sizes). */
export class InvalidArgumentError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
    this.name = 'InvalidArgumentError';
  }
}

/** A configuration field is invalid. `path` names the field (`ppo.klCoef`). */
export class ConfigError extends OcrmError {
  readonly path: string;
  constructor(path: string, message: string, options?: OcrmErrorOptions) {
    super('INVALID_CONFIG', `Invalid config field \`${path}\`: ${message}`, options);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** Where in a file bad data was found. */
export interface DataLocation {
  file?: string;
  line?: number;
  field?: string;
}

/** Input data (a JSONL line, a CSV row, a safetensors header) is malformed. The message names file, line and field. */
export class DataError extends OcrmError {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  constructor(message: string, location: DataLocation = {}, options?: OcrmErrorOptions) {
    const where = [
      location.file,
      location.line !== undefined ? `line ${location.line}` : undefined,
      location.field !== undefined ? `field \`${location.field}\`` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    super('INVALID_DATA', where ? `${where}: ${message}` : message, options);
    this.name = 'DataError';
    this.file = location.file;
    this.line = location.line;
    this.field = location.field;
  }
}

/** A file, model, dataset or Hub entry does not exist. */
export class NotFoundError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** A model type, option or dtype that this version does not support. */
export class UnsupportedError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('UNSUPPORTED', message, options);
    this.name = 'UnsupportedError';
  }
}

/** A requested TensorFlow.js backend cannot be loaded. */
export class BackendError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('BACKEND_UNAVAILABLE', message, options);
    this.name = 'BackendError';
  }
}

/** A backend ran out of memory (for tfjs-wasm: its single 4 GiB heap); the message names what to lower. */
export class OutOfMemoryError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('OUT_OF_MEMORY', message, options);
    this.name = 'OutOfMemoryError';
  }
}

/** Tensor or array shapes disagree. */
export class ShapeError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('SHAPE_MISMATCH', message, options);
    this.name = 'ShapeError';
  }
}

/** Reading or writing a file failed. */
export class IoError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('IO', message, options);
    this.name = 'IoError';
  }
}

/** Work was cancelled through an `AbortSignal`. */
export class AbortError extends OcrmError {
  constructor(message = 'The operation was aborted.', options?: OcrmErrorOptions) {
    super('ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/** A computation produced NaN or Inf where a finite number is required. */
export class NumericError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('NUMERIC', message, options);
    this.name = 'NumericError';
  }
}

/** An implementation broke a stage contract (returned the wrong shape, leaked, mutated its input). */
export class ContractError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('CONTRACT', message, options);
    this.name = 'ContractError';
  }
}

/** A worker thread failed: it could not start its backend or model replica, or threw while computing. */
export class WorkerError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('WORKER', message, options);
    this.name = 'WorkerError';
  }
}

/** Throws an {@link AbortError} when `signal` is aborted. Call it between steps of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortError(
      signal.reason instanceof Error ? signal.reason.message : 'The operation was aborted.',
      { cause: signal.reason },
    );
  }
}

/**
 * Lets the event loop run (signal handlers such as Ctrl-C set `signal.aborted` from a macrotask), then throws an
 * {@link AbortError} when `signal` is aborted. Call it once per step of a long synchronous training loop: without
 * it a loop that only awaits microtasks never sees the abort.
 */
export async function checkAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal) await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfAborted(signal);
}
