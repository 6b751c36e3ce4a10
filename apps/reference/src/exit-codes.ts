import { OcrmError } from '@ocrm/core';

/** Exit codes of the `ocrm` CLI. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug or a crash in a stage). */
  failure: 1,
  /** Bad input: unknown preset/task/method, invalid config, missing model folder, unreadable dataset, offline miss. */
  badInput: 2,
  /** Interrupted (Ctrl-C): the current step was finished and saved; rerun the same command to resume. */
  interrupted: 130,
} as const;

const BAD_INPUT_CODES = new Set([
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'INVALID_DATA',
  'NOT_FOUND',
  'UNSUPPORTED',
  'OFFLINE_MISS',
  'HUB',
  'RUN_DIRECTORY',
  'BACKEND_UNAVAILABLE',
]);

/** Maps an error to the CLI's exit code. */
export function exitCodeFor(error: unknown): number {
  if (OcrmError.isInstance(error)) {
    if (error.code === 'ABORTED') return EXIT.interrupted;
    if (BAD_INPUT_CODES.has(error.code)) return EXIT.badInput;
  }
  return EXIT.failure;
}
