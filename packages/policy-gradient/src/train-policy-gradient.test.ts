import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoLeak } from '@ocrm/core/test';
import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { AdvantageEstimator } from './config';
import { TINY_CONFIG, tinySetup } from './test-support/setup';
import { trainPolicyGradient } from './train-policy-gradient';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function weights(policy: { trainableVariables(): Record<string, tf.Variable> }): Promise<number[]> {
  const out: number[] = [];
  for (const v of Object.values(policy.trainableVariables())) out.push(...(await v.data()));
  return out;
}

describe.each(['rloo', 'grpo'] as AdvantageEstimator[])(
  'trainPolicyGradient (%s, tiny policy)',
  (estimator) => {
    it('raises the programmatic reward clearly; KL to the reference grows from 0', async () => {
      const s = tinySetup(0);
      try {
        const { history } = await trainPolicyGradient({ ...s, estimator, config: TINY_CONFIG });
        const scores = history.map((m) => m['objective/scores']!);
        expect(history[0]!['objective/kl']).toBeCloseTo(0, 5);
        expect(mean(scores.slice(-4))).toBeGreaterThan(mean(scores.slice(0, 4)) + 0.25);
        expect(history.at(-1)!['objective/kl']).toBeGreaterThan(0.5);
      } finally {
        s.dispose();
      }
    });

    it('is deterministic under its seed, resumes after an abort to the same policy, and leaks nothing', async () => {
      const config = { ...TINY_CONFIG, totalUpdates: 4 };
      const run = async (dir?: string, abortAt?: number) => {
        const s = tinySetup(1);
        const controller = new AbortController();
        try {
          await trainPolicyGradient({
            ...s,
            estimator,
            config,
            checkpointDir: dir,
            signal: controller.signal,
            onEvent: (e) => {
              if (e.type === 'step-end' && e.step === abortAt) controller.abort(new Error('stop'));
            },
          }).catch((error: Error) => {
            if (error.message !== 'stop') throw error;
          });
          return await weights(s.policy as never);
        } finally {
          s.dispose();
        }
      };
      const straight = await expectNoLeak(() => run());
      expect(await run()).toEqual(straight);
      const dir = await mkdtemp(join(tmpdir(), 'pg-resume-'));
      try {
        const stopped = await run(dir, 2);
        expect(stopped).not.toEqual(straight);
        expect(await run(dir)).toEqual(straight);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);

describe('trainPolicyGradient input checks', () => {
  it('names the field of a bad config and a renamed field', async () => {
    const s = tinySetup(0);
    try {
      await expect(
        trainPolicyGradient({ ...s, estimator: 'rloo', config: { ...TINY_CONFIG, rolloutBatchSize: 18 } }),
      ).rejects.toThrow(/rloo\.rolloutBatchSize/);
      await expect(
        trainPolicyGradient({ ...s, estimator: 'grpo', config: { eps: 1e-8 } as never }),
      ).rejects.toThrow(/grpo\.eps.*epsilon/);
    } finally {
      s.dispose();
    }
  });
});
