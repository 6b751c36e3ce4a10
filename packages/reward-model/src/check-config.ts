import { ConfigError } from '@ocrm/core';

/** Range checks of config fields; each throws a {@link ConfigError} naming the field. */
export function checkNumber(
  path: string,
  value: unknown,
  {
    min,
    max,
    integer = false,
    minExclusive = false,
  }: { min?: number; max?: number; integer?: boolean; minExclusive?: boolean },
): void {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new ConfigError(path, `expected a number, got ${String(value)}.`);
  if (integer && !Number.isSafeInteger(value))
    throw new ConfigError(path, `expected an integer, got ${value}.`);
  if (min !== undefined && (minExclusive ? value <= min : value < min)) {
    throw new ConfigError(path, `must be ${minExclusive ? '>' : '≥'} ${min}, got ${value}.`);
  }
  if (max !== undefined && value > max) throw new ConfigError(path, `must be ≤ ${max}, got ${value}.`);
}
