import { ConfigError, OcrmError } from '@ocrm/core';
import { resolveDigestTaskConfig } from '@ocrm/data';
import { resolveDpoConfig } from '@ocrm/dpo';
import { resolveSftConfig } from '@ocrm/policy';
import { resolvePpoConfig } from '@ocrm/ppo';
import { resolveRewardModelConfig } from '@ocrm/reward-model';
import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets';
import { parsePipelineConfig, resolvePipelineConfig } from './resolve';
import { RUN_SUPPLIED_FIELDS, resolveStageSection, STAGE_SECTIONS } from './stage-sections';

const without = (config: object, fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(config).filter(([k]) => !(k in fields)));

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (OcrmError.isInstance(error) && error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolved stage sections', () => {
  it('fill every package default, minus the fields the run supplies', () => {
    const preset = PRESETS.quick!.config;
    const config = resolvePipelineConfig({ preset: 'quick' });
    expect(config.sft).toEqual(without(resolveSftConfig(preset.sft as never), RUN_SUPPLIED_FIELDS.sft));
    expect(config.ppo).toEqual(without(resolvePpoConfig(preset.ppo), RUN_SUPPLIED_FIELDS.ppo));
    expect(config.dpo).toEqual(without(resolveDpoConfig(preset.dpo), RUN_SUPPLIED_FIELDS.dpo));
    const { seedPolicy, trainable, ...trainer } = preset.rewardModel;
    expect(config.rewardModel).toEqual({
      seedPolicy,
      trainable,
      ...without(resolveRewardModelConfig(trainer as never), RUN_SUPPLIED_FIELDS.rewardModel),
    });
    // The built-in task's options too: the digest task's whole config.
    expect(config.task.options).toEqual(
      JSON.parse(JSON.stringify(resolveDigestTaskConfig(preset.task.options as never))),
    );
    expect(config.task.options).toMatchObject({ vocabWords: 96, judge: { freeLength: 6 } });
    // A derived default is made explicit: SFT's micro-batch is its batch unless set.
    expect(config.sft).toMatchObject({ microBatchSize: (preset.sft as { batchSize: number }).batchSize });
    for (const name of STAGE_SECTIONS) {
      for (const field of Object.keys(RUN_SUPPLIED_FIELDS[name])) {
        expect(config[name], `${name}.${field}`).not.toHaveProperty(field);
      }
    }
  });

  it('are idempotent: a resolved config (config.json) resolves to itself', () => {
    for (const preset of Object.values(PRESETS)) {
      const config = resolvePipelineConfig({ preset: preset.name });
      expect(parsePipelineConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
    }
  });

  it('refuse a field the run supplies, naming where it comes from', () => {
    expect(configErrorOf(() => resolvePipelineConfig({ overrides: { ppo: { seed: 3 } } })).path).toBe(
      'ppo.seed',
    );
    const error = configErrorOf(() =>
      resolvePipelineConfig({ overrides: { rewardModel: { weightNormalization: 'batch' } } }),
    );
    expect(error.path).toBe('rewardModel.weightNormalization');
    expect(error.message).toContain('weighting.normalize');
    expect(
      configErrorOf(() => resolvePipelineConfig({ overrides: { dpo: { weighting: 'wpo' } } })).message,
    ).toContain('`method`');
    expect(configErrorOf(() => resolveStageSection('grpo', { evalEvery: 2 })).message).toContain(
      'eval.everyUpdates',
    );
  });

  it('still name a bad field through its package resolver', () => {
    expect(
      configErrorOf(() => resolvePipelineConfig({ overrides: { ppo: { numMinibatches: 7 } } })).path,
    ).toBe('ppo.numMinibatches');
    expect(configErrorOf(() => resolvePipelineConfig({ overrides: { sft: { lr: 1 } } })).path).toBe('sft.lr');
  });

  it("leave a custom module's section as written", () => {
    const section = { module: './my-trainer.mjs', anything: 1 };
    expect(resolveStageSection('sft', section)).toBe(section);
    const rm = { module: './my-rm.mjs', seedPolicy: 'same', trainable: 'all', depth: 2, seed: 7 };
    expect(resolveStageSection('rewardModel', rm)).toBe(rm);
  });
});
