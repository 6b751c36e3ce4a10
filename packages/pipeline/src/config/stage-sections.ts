import { ConfigError, OcrmError } from '@ocrm/core';
import { resolveTaskOptions } from '@ocrm/data';
import { type DpoConfig, resolveDpoConfig } from '@ocrm/dpo';
import { resolveSftConfig, type SftConfig } from '@ocrm/policy';
import { type PolicyGradientConfig, resolvePolicyGradientConfig } from '@ocrm/policy-gradient';
import { type PpoConfig, resolvePpoConfig } from '@ocrm/ppo';
import { type RewardModelConfig, resolveRewardModelConfig } from '@ocrm/reward-model';
import type { LoadedConfigFile } from './load';

/** The pipeline's sections that are a stage package's config (checked and filled by that package's resolver). */
export const STAGE_SECTIONS = ['sft', 'rewardModel', 'ppo', 'rloo', 'grpo', 'dpo'] as const;
/** One of {@link STAGE_SECTIONS}. */
export type StageSectionName = (typeof STAGE_SECTIONS)[number];

/**
 * Fields of a package's config that the pipeline supplies itself, with where they come from. They are not part of
 * the pipeline's section (setting one is a `ConfigError` naming the source), so the resolved section holds exactly
 * the values the stage runs with and nothing a run would silently ignore or override.
 */
export const RUN_SUPPLIED_FIELDS: Readonly<Record<StageSectionName, Readonly<Record<string, string>>>> = {
  sft: { seed: 'the run `seed`' },
  rewardModel: {
    seed: 'the run `seed` and `rewardModel.seedPolicy`',
    weightNormalization: '`weighting.normalize`',
  },
  ppo: {
    seed: 'the run `seed`',
    maxNewTokens: "the task's response length",
    evalEvery: '`eval.everyUpdates`',
  },
  rloo: {
    seed: 'the run `seed`',
    maxNewTokens: "the task's response length",
    evalEvery: '`eval.everyUpdates`',
  },
  grpo: {
    seed: 'the run `seed`',
    maxNewTokens: "the task's response length",
    evalEvery: '`eval.everyUpdates`',
  },
  dpo: { seed: 'the run `seed`', weighting: '`method` (`wpo` weights the pairs)' },
};

/** The pipeline's own fields of the reward-model section (not `@ocrm/reward-model` fields). */
const REWARD_MODEL_PIPELINE_FIELDS = ['seedPolicy', 'trainable', 'featureCache', 'module'] as const;

/** The resolved `sft` section: every `SftConfig` field but the seed (or a custom trainer's own section). */
export type SftSection = Omit<SftConfig, 'seed'> & { module?: undefined };
/** The resolved reward-model trainer fields (the section adds `seedPolicy`, `trainable`, `featureCache`, `module`). */
export type RewardModelTrainerSection = Omit<RewardModelConfig, 'seed' | 'weightNormalization'>;
/** The resolved `ppo` section: every `PpoConfig` field the run does not supply. */
export type PpoSection = Omit<PpoConfig, 'seed' | 'maxNewTokens' | 'evalEvery'>;
/** The resolved `rloo` / `grpo` section. */
export type PolicyGradientSection = Omit<PolicyGradientConfig, 'seed' | 'maxNewTokens' | 'evalEvery'>;
/** The resolved `dpo` section. */
export type DpoSection = Omit<DpoConfig, 'seed' | 'weighting'>;
/** A section handed whole to a custom module (`sft.module`, `rewardModel.module`): its fields are its own. */
export type ModuleSection = { module: string } & Record<string, unknown>;

/**
 * Checks one stage section with its package's resolver and returns it with every default filled in, minus the
 * {@link RUN_SUPPLIED_FIELDS}. A section naming a custom `module` is returned as written (its fields belong to the
 * module). Idempotent: resolving a resolved section returns an equal one.
 * @throws ConfigError naming the field (`ppo.klCoef`), including a run-supplied field set in the section.
 */
export function resolveStageSection(
  name: StageSectionName,
  section: Record<string, unknown>,
): Record<string, unknown> {
  // A custom module's section is its own business (the module gets it whole).
  if ((name === 'sft' || name === 'rewardModel') && typeof section.module === 'string') return section;
  const supplied = RUN_SUPPLIED_FIELDS[name];
  for (const [field, source] of Object.entries(supplied)) {
    if (section[field] !== undefined) {
      throw new ConfigError(`${name}.${field}`, `is set by ${source} in a pipeline run; remove it here.`);
    }
  }
  const strip = (full: object) =>
    Object.fromEntries(Object.entries(full).filter(([field]) => !(field in supplied)));
  switch (name) {
    case 'sft':
      return strip(resolveSftConfig(section));
    case 'rewardModel': {
      const own = Object.fromEntries(
        REWARD_MODEL_PIPELINE_FIELDS.filter((f) => section[f] !== undefined).map((f) => [f, section[f]]),
      );
      const trainer = Object.fromEntries(
        Object.entries(section).filter(
          ([f]) => !(REWARD_MODEL_PIPELINE_FIELDS as readonly string[]).includes(f),
        ),
      );
      return { ...own, ...strip(resolveRewardModelConfig(trainer)) };
    }
    case 'ppo':
      return strip(resolvePpoConfig(section));
    case 'rloo':
    case 'grpo':
      // `estimator` is implied by the section's name.
      return strip(resolvePolicyGradientConfig(name, section));
    case 'dpo':
      return strip(resolveDpoConfig(section));
  }
}

/**
 * The task section with its built-in task's options filled in (`resolveTaskOptions` of `@ocrm/data`: the digest
 * task's full config, tldr-mini's defaults); other tasks' options as written.
 */
export function resolveTaskSection<T extends { name: string; options: Record<string, unknown> }>(task: T): T {
  return { ...task, options: resolveTaskOptions(task.name, task.options) };
}

/**
 * Resolves every stage section of a parsed config ({@link resolveStageSection}) and the built-in task's options
 * ({@link resolveTaskSection}); sections the method does not run are checked too, so a config file is either valid
 * or not.
 * @throws ConfigError naming the field, with `file:line` when the field came from `file`.
 */
export function resolveStageSections<
  T extends Record<StageSectionName, Record<string, unknown>> & {
    task: { name: string; options: Record<string, unknown> };
  },
>(config: T, file?: LoadedConfigFile): T {
  try {
    const out = { ...config, task: resolveTaskSection(config.task) };
    for (const name of STAGE_SECTIONS) {
      (out as Record<string, unknown>)[name] = resolveStageSection(name, config[name]);
    }
    return out;
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
