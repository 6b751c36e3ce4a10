import { ConfigError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PPO_CONFIG, ppoTotalUpdates, resolvePpoConfig } from './config';

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
      eps: 1e-5,
    });
    expect(Object.isFrozen(DEFAULT_PPO_CONFIG)).toBe(true);
    expect(resolvePpoConfig()).toEqual(DEFAULT_PPO_CONFIG);
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
