import type { Policy, RewardModel, ValueModel } from '@ocrm/core';
import { createTinyPolicy, createTinyValueModel, MockRewardModel } from '@ocrm/core/test';
import type { PpoConfig } from '../config';

/** Token the test reward model likes. */
export const TARGET_ID = 5;

/** Score = fraction of the response's valid tokens (EOS included) equal to {@link TARGET_ID}. */
export function targetFractionRewardModel(): RewardModel {
  return new MockRewardModel({
    scoreFn: (response) => response.filter((id) => id === TARGET_ID).length / Math.max(1, response.length),
  });
}

/** A tiny PPO setup: policy, frozen reference, critic, reward model and prompts (vocab 16, hidden 16). */
export function tinySetup(seed = 0): {
  policy: Policy;
  reference: Policy;
  critic: ValueModel;
  rewardModel: RewardModel;
  prompts: number[][];
  dispose: () => void;
} {
  const policy = createTinyPolicy({ seed, vocabSize: 16, hidden: 16, maxLength: 16 });
  const reference = policy.freeze();
  const critic = createTinyValueModel({ seed: seed + 1, vocabSize: 16, hidden: 16, maxLength: 16 });
  const rewardModel = targetFractionRewardModel();
  const prompts = Array.from({ length: 12 }, (_, i) => [2 + (i % 7), 3 + ((i * 5) % 11), 4 + (i % 3)]);
  return {
    policy,
    reference,
    critic,
    rewardModel,
    prompts,
    dispose: () => {
      policy.dispose();
      reference.dispose();
      critic.dispose();
      rewardModel.dispose();
    },
  };
}

/** A small, fast PPO config for the tiny setup. */
export const TINY_PPO_CONFIG: Partial<PpoConfig> = {
  rolloutBatchSize: 16,
  microBatchSize: 8,
  numMinibatches: 2,
  ppoEpochs: 4,
  maxNewTokens: 6,
  learningRate: 1e-2,
  totalUpdates: 30,
  evalEvery: 0,
  checkpointEvery: 0,
};
