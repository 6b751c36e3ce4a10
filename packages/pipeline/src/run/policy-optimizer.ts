import type { PolicyOptimizer } from '@ocrm/core';
import { policyGradientOptimizer, resolvePolicyGradientConfig } from '@ocrm/policy-gradient';
import { ppoOptimizer, ppoTotalUpdates, resolvePpoConfig } from '@ocrm/ppo';
import type { PipelineConfig } from '../config/schema';

/** The named optimizer's section, resolved: its rollout temperature and updates per round. */
export function policyOptimizerSettings(config: PipelineConfig): {
  temperature: number;
  totalUpdates: number;
} {
  if (config.policyOptimizer === 'ppo') {
    const ppo = resolvePpoConfig(config.ppo);
    return { temperature: ppo.temperature, totalUpdates: ppoTotalUpdates(ppo) };
  }
  const name = config.policyOptimizer;
  const { temperature, totalUpdates } = resolvePolicyGradientConfig(name, config[name]);
  return { temperature, totalUpdates };
}

/**
 * The rollout temperature of the RL step: the temperature at which π_{k−1} produced what RM_k meets, so the OCRM
 * weights' numerator (and the KL estimates) take the policy's density at it.
 */
export function rolloutTemperature(config: PipelineConfig): number {
  return policyOptimizerSettings(config).temperature;
}

/** The optimizer `config.policyOptimizer` names, built from its section (checked: ConfigError naming the field). */
export function createPolicyOptimizer(config: PipelineConfig): PolicyOptimizer {
  if (config.policyOptimizer === 'ppo') return ppoOptimizer(config.ppo);
  return policyGradientOptimizer(config.policyOptimizer, config[config.policyOptimizer]);
}
