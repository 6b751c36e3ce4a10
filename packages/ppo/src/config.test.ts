import { ConfigError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PPO_CONFIG, ppoTotalUpdates, resolvePpoConfig } from './config';
import { ppoLearningRate } from './update/ppo-state';

describe('PpoConfig', () => {
  it("has the paper's defaults and is frozen", () => {
    expect(DEFAULT_PPO_CONFIG).toMatchObject({
      rolloutBatchSize: 512,
      temperature: 0.7,
      klCoef: 0.05,
      scorePosition: 'eos',
      missingEosPenalty: -1,
      whitenRewards: false,
      gamma: 1,
      gaeLambda: 0.95,
      ppoEpochs: 4,
      numMinibatches: 1,
      clipRange: 0.2,
      clipRangeValue: 0.2,
      vfCoef: 0.1,
      epsilon: 1e-5,
    });
    expect(Object.isFrozen(DEFAULT_PPO_CONFIG)).toBe(true);
    expect(resolvePpoConfig()).toEqual(DEFAULT_PPO_CONFIG);
  });

  it('decays the learning rate linearly to 0, after an optional linear warmup from 0', () => {
    const none = resolvePpoConfig({ learningRate: 1e-4 });
    expect(none.warmupSteps).toBe(0);
    const plain = [0, 5, 10, 19].map((u) => ppoLearningRate(none, u, 20));
    for (const [i, lr] of [1e-4, 7.5e-5, 5e-5, 5e-6].entries()) expect(plain[i]).toBeCloseTo(lr, 12);
    const warm = resolvePpoConfig({ learningRate: 1e-4, warmupSteps: 4 });
    // warmup: 0, 1/4, 2/4, 3/4 of the peak; then peak → 0 over the remaining 16 updates.
    const lrs = [0, 1, 2, 3, 4, 12, 19].map((u) => ppoLearningRate(warm, u, 20));
    const expected = [0, 2.5e-5, 5e-5, 7.5e-5, 1e-4, 5e-5, 6.25e-6];
    for (const [i, lr] of lrs.entries()) expect(lr).toBeCloseTo(expected[i]!, 12);
    // A warmup longer than the run is capped at the run.
    expect(ppoLearningRate(resolvePpoConfig({ learningRate: 1e-4, warmupSteps: 50 }), 2, 4)).toBeCloseTo(
      5e-5,
      12,
    );
  });

  it('switches the missing-EOS penalty off with null', () => {
    expect(resolvePpoConfig({ missingEosPenalty: null }).missingEosPenalty).toBeNull();
  });

  it('counts updates from totalEpisodes when totalUpdates is not given', () => {
    const c = resolvePpoConfig({ rolloutBatchSize: 8, totalEpisodes: 20 });
    expect(c.totalUpdates).toBeNull();
    expect(ppoTotalUpdates(c)).toBe(3);
    expect(ppoTotalUpdates(resolvePpoConfig({ totalUpdates: 7 }))).toBe(7);
  });

  it('names the bad field', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ klCoef: -1 }, 'ppo.klCoef'],
      [{ warmupSteps: 1.5 }, 'ppo.warmupSteps'],
      [{ warmupUpdates: 5 } as never, 'ppo.warmupUpdates'],
      [{ eps: 1e-8 } as never, 'ppo.eps'],
      [{ scorePosition: 'last' }, 'ppo.scorePosition'],
      [{ rolloutBatchSize: 10, numMinibatches: 3 }, 'ppo.numMinibatches'],
      [{ totalUpdates: null, totalEpisodes: null }, 'ppo.totalEpisodes'],
      [{ gaeLambda: 1.5 }, 'ppo.gaeLambda'],
      [{ temperature: 0 }, 'ppo.temperature'],
      [{ microBatchSize: 0 }, 'ppo.microBatchSize'],
      [{ typo: 1 }, 'ppo.typo'],
    ];
    for (const [partial, path] of bad) {
      let error: unknown;
      try {
        resolvePpoConfig(partial as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(path);
    }
  });
});
