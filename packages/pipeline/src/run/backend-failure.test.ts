import { OcrmError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { backendFailure } from './backend-failure';

/** WebAssembly.RuntimeError (the traps tfjs-wasm kernels raise); the project's TypeScript libs do not declare it. */
const { RuntimeError } = (
  globalThis as unknown as { WebAssembly: { RuntimeError: new (m: string) => Error } }
).WebAssembly;

describe('backendFailure', () => {
  it('turns a wasm out-of-bounds trap into a backend error naming the stage and the micro-batch fields', () => {
    const trap = new RuntimeError('memory access out of bounds');
    const error = backendFailure(trap, 'sft');
    expect(OcrmError.isInstance(error) && error.code).toBe('OUT_OF_MEMORY');
    expect((error as Error).message).toMatch(/stage sft ran out of the wasm backend's memory/);
    expect((error as Error).message).toMatch(/sft\.microBatchSize/);
    expect((error as Error).cause).toBe(trap);
  });

  it('leaves every other error as it is', () => {
    const plain = new Error('disk full');
    expect(backendFailure(plain, 'sft')).toBe(plain);
    const otherTrap = new RuntimeError('divide by zero');
    expect(backendFailure(otherTrap, 'ppo-1')).toBe(otherTrap);
  });
});
