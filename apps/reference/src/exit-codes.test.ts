import { AbortError, ConfigError, DataError, NotFoundError, OcrmError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from './exit-codes';

describe('exitCodeFor', () => {
  it('maps bad input to 2, an interrupt to 130 and anything else to 1', () => {
    expect(exitCodeFor(new DataError('bad row', { file: 'd.jsonl', line: 2 }))).toBe(EXIT.badInput);
    expect(exitCodeFor(new ConfigError('ppo.klCoef', 'expected >= 0'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new NotFoundError('no model'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new OcrmError('OFFLINE_MISS', 'not cached'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new OcrmError('RUN_DIRECTORY', 'other config'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new AbortError())).toBe(EXIT.interrupted);
    expect(exitCodeFor(new OcrmError('NUMERIC', 'NaN loss'))).toBe(EXIT.failure);
    expect(exitCodeFor(new TypeError('bug'))).toBe(EXIT.failure);
  });
});
