import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { checkConfigNumber } from './check-config-number';

describe('checkConfigNumber', () => {
  it('accepts values inside the bounds', () => {
    expect(() => checkConfigNumber('a.x', 0, { min: 0, max: 1 })).not.toThrow();
    expect(() => checkConfigNumber('a.x', 1, { min: 0, max: 1 })).not.toThrow();
    expect(() => checkConfigNumber('a.x', 3, { min: 1, integer: true })).not.toThrow();
    expect(() => checkConfigNumber('a.x', Number.POSITIVE_INFINITY, { min: 0 })).not.toThrow();
  });

  it('names the field and says what is wrong', () => {
    expect(() => checkConfigNumber('a.x', '1')).toThrow(/a\.x.*expected a number, got 1/);
    expect(() => checkConfigNumber('a.x', Number.NaN)).toThrow(/expected a number, got NaN/);
    expect(() => checkConfigNumber('a.x', 1.5, { integer: true })).toThrow(/expected an integer, got 1\.5/);
    expect(() => checkConfigNumber('a.x', -1, { min: 0 })).toThrow(/must be ≥ 0, got -1/);
    expect(() => checkConfigNumber('a.x', 0, { min: 0, minExclusive: true })).toThrow(/must be > 0, got 0/);
    expect(() => checkConfigNumber('a.x', 2, { max: 1 })).toThrow(/must be ≤ 1, got 2/);
    expect(() => checkConfigNumber('a.x', 1, { max: 1, maxExclusive: true })).toThrow(/must be < 1, got 1/);
    expect(() => checkConfigNumber('a.x', Number.POSITIVE_INFINITY, { finite: true })).toThrow(
      /expected a finite number/,
    );
    expect(() => checkConfigNumber('a.x', -1, { min: 0 })).toThrow(ConfigError);
  });
});
