import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, OcrmError, throwIfAborted } from './errors';

describe('OcrmError', () => {
  it('carries a stable code and is recognised across copies by its marker', () => {
    const error = new ConfigError('ppo.klCoef', 'expected a number >= 0, got -1');
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe('Invalid config field `ppo.klCoef`: expected a number >= 0, got -1');
    expect(OcrmError.isInstance(error)).toBe(true);
    // A structurally identical error from "another installed copy": same global symbol marker, other prototype.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('@ocrm/core/error')]: true, code: 'IO' });
    expect(OcrmError.isInstance(foreign)).toBe(true);
    expect(OcrmError.isInstance(new Error('plain'))).toBe(false);
    expect(OcrmError.isInstance(null)).toBe(false);
  });

  it('names file, line and field of bad data', () => {
    const error = new DataError('expected a string', { file: 'pairs.jsonl', line: 7, field: 'chosen' });
    expect(error.message).toBe('pairs.jsonl, line 7, field `chosen`: expected a string');
    expect(error.line).toBe(7);
  });

  it('appends a hint that says what to do', () => {
    const error = new OcrmError('NOT_FOUND', 'No model in runs/x/sft', { hint: 'Run the sft stage first.' });
    expect(error.message).toContain('→ Run the sft stage first.');
  });

  it('throwIfAborted throws an ABORTED error only after abort', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    controller.abort(new Error('stop'));
    expect(() => throwIfAborted(controller.signal)).toThrowError(/stop/);
  });
});
