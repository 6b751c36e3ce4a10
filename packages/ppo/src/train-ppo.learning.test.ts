import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_PPO_CONFIG, tinySetup } from './test-support/setup';
import { trainPpo } from './train-ppo';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// Reward: fraction of response tokens equal to a target id (a programmatic reward model); no missing-EOS penalty,
// so the signal is the target rate alone. 24 updates of 16 episodes.
const LEARNING = {
  ...TINY_PPO_CONFIG,
  numMinibatches: 1,
  microBatchSize: 16,
  totalUpdates: 24,
  learningRate: 2e-2,
  missingEosPenalty: null,
};

async function run(klCoef: number): Promise<{ scores: number[]; kl: number[] }> {
  const s = tinySetup(0);
  try {
    const { history } = await trainPpo({ ...s, config: { ...LEARNING, klCoef } });
    return {
      scores: history.map((m) => m['objective/scores'] as number),
      kl: history.map((m) => m['objective/kl'] as number),
    };
  } finally {
    s.dispose();
  }
}

describe('trainPpo learning (tiny policy, programmatic reward)', () => {
  let normal: { scores: number[]; kl: number[] };
  beforeAll(async () => {
    normal = await run(0.05);
  });

  it('raises the mean score clearly while the KL to the reference grows from 0', () => {
    expect(normal.kl[0]).toBe(0);
    expect(mean(normal.scores.slice(-4))).toBeGreaterThan(mean(normal.scores.slice(0, 4)) + 0.25);
    expect(mean(normal.kl.slice(-4))).toBeGreaterThan(2);
  });

  it('barely moves the policy with a huge klCoef', async () => {
    const huge = await run(50);
    // Whitened advantages keep the step size, so early updates still wander; the penalty pulls the policy back.
    expect(mean(huge.kl.slice(-4))).toBeLessThan(0.25 * mean(normal.kl.slice(-4)));
    expect(mean(huge.scores.slice(-4))).toBeLessThan(mean(huge.scores.slice(0, 4)) + 0.1);
    expect(mean(huge.scores.slice(-4))).toBeLessThan(mean(normal.scores.slice(-4)) - 0.25);
  });
});
