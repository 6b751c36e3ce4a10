import {
  InvalidArgumentError,
  type PolicyOptimizationResult,
  type PolicyOptimizationRun,
  type PolicyOptimizer,
  SPECIFICATION_VERSION,
} from '@ocrm/core';
import { type PpoConfig, resolvePpoConfig } from './config';
import { trainPpo } from './train-ppo';

/**
 * PPO behind the {@link PolicyOptimizer} contract: the pipeline's default policy optimizer. The run's `maxNewTokens`,
 * `evalEvery` and `seed` are defaults that `config` overrides; `totalUpdates` is the run's (`totalEpisodes` is
 * ignored). Needs `run.critic` (a value model initialised from a reward model); continues across OCRM rounds
 * (`run.stopAfter`, `run.continueFrom` → {@link trainPpo}'s `stopAfter` and `warmStart`).
 * @throws ConfigError at construction when `config` is invalid (naming `ppo.<field>`).
 * @example runPipeline(config, { stages: { policyOptimizer: ppoOptimizer({ klCoef: 0.1 }) } })
 */
export function ppoOptimizer(config: Partial<PpoConfig> = {}): PolicyOptimizer {
  const { temperature } = resolvePpoConfig(config);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'ppo',
    usesCritic: true,
    canContinue: true,
    temperature,
    async optimize(run: PolicyOptimizationRun): Promise<PolicyOptimizationResult> {
      if (!run.critic) {
        throw new InvalidArgumentError('ppo: the run has no critic.', {
          hint: 'PPO learns a value function: pass `critic` (e.g. a trainable copy of the reward model).',
        });
      }
      const result = await trainPpo({
        policy: run.policy,
        critic: run.critic,
        rewardModel: run.rewardModel,
        reference: run.reference,
        prompts: run.prompts,
        config: {
          maxNewTokens: run.maxNewTokens,
          evalEvery: run.evalEvery,
          seed: run.seed,
          ...config,
          totalUpdates: run.totalUpdates,
          totalEpisodes: null,
        },
        stopAfter: run.stopAfter,
        warmStart: run.continueFrom,
        onEval: run.onEval,
        checkpointDir: run.checkpointDir,
        stage: run.stage,
        signal: run.signal,
        onEvent: run.onEvent,
        dataParallel: run.dataParallel,
      });
      return { updates: result.updates, episodes: result.episodes, metrics: result.metrics };
    },
  };
}
