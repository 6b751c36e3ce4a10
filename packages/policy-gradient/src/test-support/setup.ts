import type { Policy, RewardModel } from '@ocrm/core';
import { createTinyPolicy, MockRewardModel } from '@ocrm/core/test';
import type { PolicyGradientConfig } from '../config';

/** Token the test reward model likes. */
export const TARGET_ID = 5;

/** A tiny setup: policy, frozen reference, a programmatic reward model (fraction of TARGET_ID tokens), prompts. */
export function tinySetup(seed = 0): {
  policy: Policy;
  reference: Policy;
  rewardModel: RewardModel;
  prompts: number[][];
  dispose: () => void;
} {
  const policy = createTinyPolicy({ seed, vocabSize: 16, hidden: 16, maxLength: 16 });
  const reference = policy.freeze();
  const rewardModel = new MockRewardModel({
    scoreFn: (response) => response.filter((id) => id === TARGET_ID).length / Math.max(1, response.length),
  });
  const prompts = Array.from({ length: 12 }, (_, i) => [2 + (i % 7), 3 + ((i * 5) % 11), 4 + (i % 3)]);
  return {
    policy,
    reference,
    rewardModel,
    prompts,
    dispose: () => {
      policy.dispose();
      reference.dispose();
      rewardModel.dispose();
    },
  };
}

/** A small, fast config for the tiny setup (4 prompts × 4 responses per update). */
export const TINY_CONFIG: Partial<PolicyGradientConfig> = {
  groupSize: 4,
  rolloutBatchSize: 16,
  microBatchSize: 8,
  numMinibatches: 2,
  epochs: 2,
  maxNewTokens: 6,
  learningRate: 2e-2,
  missingEosPenalty: null,
  totalUpdates: 24,
  evalEvery: 0,
  checkpointEvery: 0,
};
