import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../contracts/events';
import { drive } from './drive';

async function* fakeTrainer(log: string[]): AsyncGenerator<TrainEvent, string, undefined> {
  try {
    yield { type: 'run-start', stage: 'x', totalSteps: 2, time: 0 };
    yield { type: 'step-end', stage: 'x', step: 1, totalSteps: 2, metrics: { 'loss/x': 1 }, time: 1 };
    return 'result';
  } finally {
    log.push('closed');
  }
}

describe('drive', () => {
  it('forwards events and returns the generator result', async () => {
    const seen: string[] = [];
    const log: string[] = [];
    expect(await drive(fakeTrainer(log), (e) => void seen.push(e.type))).toBe('result');
    expect(seen).toEqual(['run-start', 'step-end']);
    expect(await drive(fakeTrainer(log))).toBe('result');
  });

  it('closes the generator when the handler throws', async () => {
    const log: string[] = [];
    await expect(
      drive(fakeTrainer(log), () => {
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(log).toEqual(['closed']);
  });
});
