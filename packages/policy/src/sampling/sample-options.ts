import { InvalidArgumentError, type SampleOptions } from '@ocrm/core';

/** {@link SampleOptions} with defaults filled in and checked. */
export interface ResolvedSampleOptions {
  temperature: number;
  topK?: number;
  topP?: number;
  maxNewTokens: number;
  lengthMode: 'fixed' | 'stopAtEos';
  seed: number;
  stream: number;
  microBatchSize: number;
  signal?: AbortSignal;
}

/** Rows sampled together when the caller does not say. */
export const DEFAULT_SAMPLE_MICRO_BATCH = 64;

/**
 * Validates sampling options.
 * @throws InvalidArgumentError naming the bad option.
 */
export function resolveSampleOptions(options: SampleOptions): ResolvedSampleOptions {
  const { temperature, topK, topP, maxNewTokens, seed } = options;
  const bad = (name: string, value: unknown, want: string) =>
    new InvalidArgumentError(`sample: \`${name}\` must be ${want}, got ${String(value)}.`);
  if (!(Number.isFinite(temperature) && temperature >= 0))
    throw bad('temperature', temperature, 'a number ≥ 0');
  if (topK !== undefined && !(Number.isSafeInteger(topK) && topK >= 1))
    throw bad('topK', topK, 'an integer ≥ 1');
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw bad('topP', topP, 'in (0, 1]');
  if (!(Number.isSafeInteger(maxNewTokens) && maxNewTokens >= 1)) {
    throw bad('maxNewTokens', maxNewTokens, 'an integer ≥ 1');
  }
  if (!(Number.isSafeInteger(seed) && seed >= 0)) throw bad('seed', seed, 'a non-negative integer');
  const stream = options.stream ?? 0;
  if (!(Number.isSafeInteger(stream) && stream >= 0)) throw bad('stream', stream, 'a non-negative integer');
  const microBatchSize = options.microBatchSize ?? DEFAULT_SAMPLE_MICRO_BATCH;
  if (!(Number.isSafeInteger(microBatchSize) && microBatchSize >= 1)) {
    throw bad('microBatchSize', microBatchSize, 'an integer ≥ 1');
  }
  const lengthMode = options.lengthMode ?? 'fixed';
  if (lengthMode !== 'fixed' && lengthMode !== 'stopAtEos')
    throw bad('lengthMode', lengthMode, "'fixed' or 'stopAtEos'");
  return {
    temperature,
    topK,
    topP,
    maxNewTokens,
    lengthMode,
    seed,
    stream,
    microBatchSize,
    signal: options.signal,
  };
}
