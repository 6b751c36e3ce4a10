import {
  InvalidArgumentError,
  type PolicyOptimizationResult,
  type PolicyOptimizationRun,
  type PolicyOptimizer,
  SPECIFICATION_VERSION,
} from '@ocrm/core';
import { type AdvantageEstimator, type PolicyGradientConfig, resolvePolicyGradientConfig } from './config';
import { trainPolicyGradient } from './train-policy-gradient';

/**
 * A {@link PolicyOptimizer} running RLOO or GRPO with `config` (the run's `maxNewTokens`, `evalEvery` and `seed` are
 * defaults that `config` overrides; `totalUpdates` is the run's). No critic, no continuation across rounds: use it
 * with `roundStart: restart`.
 * @throws ConfigError at construction when `config` is invalid (naming `rloo.<field>` / `grpo.<field>`).
 */
export function policyGradientOptimizer(
  estimator: AdvantageEstimator,
  config: Partial<PolicyGradientConfig> = {},
): PolicyOptimizer {
  const resolved = resolvePolicyGradientConfig(estimator, config);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: estimator,
    usesCritic: false,
    canContinue: false,
    temperature: resolved.temperature,
    async optimize(run: PolicyOptimizationRun): Promise<PolicyOptimizationResult> {
      if (run.continueFrom || (run.stopAfter !== undefined && run.stopAfter !== run.totalUpdates)) {
        throw new InvalidArgumentError(`${estimator}: runs cannot continue across rounds.`, {
          hint: "Use roundStart: 'restart' (each round a fresh run from the previous round's policy).",
        });
      }
      const result = await trainPolicyGradient({
        policy: run.policy,
        reference: run.reference,
        rewardModel: run.rewardModel,
        prompts: run.prompts,
        estimator,
        config: {
          maxNewTokens: run.maxNewTokens,
          evalEvery: run.evalEvery,
          seed: run.seed,
          ...config,
          totalUpdates: run.totalUpdates,
        },
        onEval: run.onEval,
        checkpointDir: run.checkpointDir,
        stage: run.stage,
        signal: run.signal,
        onEvent: run.onEvent,
      });
      return { updates: result.updates, episodes: result.episodes, metrics: result.metrics };
    },
  };
}

/** RLOO behind the {@link PolicyOptimizer} contract. @example runPipeline(config, { stages: { policyOptimizer: rlooOptimizer({ groupSize: 4 }) } }) */
export const rlooOptimizer = (config: Partial<PolicyGradientConfig> = {}): PolicyOptimizer =>
  policyGradientOptimizer('rloo', config);

/** GRPO behind the {@link PolicyOptimizer} contract. */
export const grpoOptimizer = (config: Partial<PolicyGradientConfig> = {}): PolicyOptimizer =>
  policyGradientOptimizer('grpo', config);
