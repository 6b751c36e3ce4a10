import { ConfigError } from '../errors';

/** Bounds of {@link checkConfigNumber}; every field is optional. */
export interface ConfigNumberBounds {
  /** Lower bound, inclusive unless `minExclusive`. */
  min?: number;
  /** Upper bound, inclusive unless `maxExclusive`. */
  max?: number;
  /** Require a safe integer. Default false. */
  integer?: boolean;
  /** `min` itself is rejected (`> min`). Default false. */
  minExclusive?: boolean;
  /** `max` itself is rejected (`< max`). Default false. */
  maxExclusive?: boolean;
  /** Reject ±Infinity (NaN is always rejected). Default false. */
  finite?: boolean;
}

/**
 * Range check of one numeric config field, the building block of every `resolveXxxConfig`.
 *
 * Checks, in order: a number and not NaN, finite (when asked), an integer (when asked), `min`, `max`.
 * @param path - the field's dotted path, named by the error (`sft.learningRate`).
 * @throws ConfigError naming `path` when `value` fails a check.
 * @example
 * checkConfigNumber('sft.beta1', c.beta1, { min: 0, max: 1 });
 * checkConfigNumber('sft.batchSize', c.batchSize, { min: 1, integer: true });
 */
export function checkConfigNumber(path: string, value: unknown, bounds: ConfigNumberBounds = {}): void {
  const { min, max, integer = false, minExclusive = false, maxExclusive = false, finite = false } = bounds;
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new ConfigError(path, `expected a number, got ${String(value)}.`);
  if (finite && !Number.isFinite(value))
    throw new ConfigError(path, `expected a finite number, got ${value}.`);
  if (integer && !Number.isSafeInteger(value))
    throw new ConfigError(path, `expected an integer, got ${value}.`);
  if (min !== undefined && (minExclusive ? value <= min : value < min)) {
    throw new ConfigError(path, `must be ${minExclusive ? '>' : '≥'} ${min}, got ${value}.`);
  }
  if (max !== undefined && (maxExclusive ? value >= max : value > max)) {
    throw new ConfigError(path, `must be ${maxExclusive ? '<' : '≤'} ${max}, got ${value}.`);
  }
}
