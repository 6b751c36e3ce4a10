import { ConfigError, OcrmError } from '@ocrm/core';
import { resolveDpoConfig } from '@ocrm/dpo';
import { resolveSftConfig } from '@ocrm/policy';
import { resolvePolicyGradientConfig } from '@ocrm/policy-gradient';
import { resolvePpoConfig } from '@ocrm/ppo';
import { resolveRewardModelConfig } from '@ocrm/reward-model';
import type { LoadedConfigFile } from './load';
import type { PipelineConfig } from './schema';

/**
 * Checks every stage section through its own package's resolver (unknown fields, ranges, divisibility), so a bad
 * `ppo` field fails before SFT runs rather than when PPO starts. Sections a method does not run are checked too: a
 * config file is either valid or not.
 * @throws ConfigError naming the field (`ppo.klCoeff`), with the file line when it came from `file`.
 */
export function checkStageSections(config: PipelineConfig, file?: LoadedConfigFile): void {
  const { seedPolicy: _seedPolicy, trainable: _trainable, module, ...rewardModel } = config.rewardModel;
  try {
    if (config.sft.module === undefined) resolveSftConfig(config.sft);
    // A custom trainer's section is its own business.
    if (!module) resolveRewardModelConfig(rewardModel as never);
    resolvePpoConfig(config.ppo);
    resolveDpoConfig(config.dpo);
    resolvePolicyGradientConfig('rloo', config.rloo);
    resolvePolicyGradientConfig('grpo', config.grpo);
  } catch (error) {
    if (!(OcrmError.isInstance(error) && error instanceof ConfigError) || !file) throw error;
    const line = file.lineOf(error.path.split('.'));
    if (line === undefined) throw error;
    throw new ConfigError(
      error.path,
      `${error.message.replace(/^Invalid config field `[^`]*`: /, '')} (${file.path}:${line})`,
    );
  }
}
