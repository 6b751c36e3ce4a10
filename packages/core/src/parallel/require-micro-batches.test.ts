import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { requireMicroBatches } from './require-micro-batches';

describe('requireMicroBatches', () => {
  it('passes with two or more micro-batches a batch', () => {
    expect(() => requireMicroBatches('trainX', 'x.microBatchSize', 32, 16)).not.toThrow();
    expect(() => requireMicroBatches('trainX', 'x.microBatchSize', 32, 8)).not.toThrow();
  });

  it('names the trainer, the field and a value that works otherwise', () => {
    const error = (() => {
      try {
        requireMicroBatches('trainX', 'x.microBatchSize', 32, 32);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(
      /^trainX: .*x\.microBatchSize is 32\.\n {2}→ Set x\.microBatchSize to a divisor of 32 below it \(e\.g\. 16\)/,
    );
  });
});
