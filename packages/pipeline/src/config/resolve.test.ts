import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OcrmError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from './load';
import { mergeConfig } from './merge';
import { PRESETS } from './presets';
import { resolvePipelineConfig } from './resolve';
import { pipelineConfigSchema } from './schema';

async function fileWith(name: string, text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'ocrm-config-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return loadConfigFile(path);
}

describe('resolvePipelineConfig', () => {
  it('every preset is a valid resolved config', () => {
    for (const preset of Object.values(PRESETS)) {
      expect(pipelineConfigSchema.safeParse(preset.config).success, preset.name).toBe(true);
      expect(resolvePipelineConfig({ preset: preset.name }).preset).toBe(preset.name);
    }
  });

  it('defaults to quick; file overrides preset; flags override file', async () => {
    expect(resolvePipelineConfig().preset).toBe('quick');
    const file = await fileWith('run.yaml', 'preset: smoke\nrounds: 3\nppo:\n  klCoef: 0.1\n');
    const fromFile = resolvePipelineConfig({ file });
    expect(fromFile.preset).toBe('smoke');
    expect(fromFile.rounds).toBe(3);
    expect(fromFile.ppo.klCoef).toBe(0.1);
    expect(fromFile.ppo.rolloutBatchSize).toBe(PRESETS.smoke!.config.ppo.rolloutBatchSize);
    const flagged = resolvePipelineConfig({ file, overrides: { rounds: 5, method: 'rlhf' } });
    expect([flagged.rounds, flagged.method]).toEqual([5, 'rlhf']);
  });

  it('names the path, the allowed values and the file line of a bad field', async () => {
    const file = await fileWith('run.yaml', 'rounds: 2\nweighting:\n  alpha: 0.1\n  normalize: sometimes\n');
    try {
      resolvePipelineConfig({ file });
      expect.unreachable();
    } catch (error) {
      expect(OcrmError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
      const message = (error as Error).message;
      expect(message).toContain('`weighting.normalize`');
      expect(message).toContain('"none", "batch", "dataset"');
      expect(message).toMatch(/run\.yaml:4\)/);
    }
  });

  it('rejects wrong types, unknown fields and unknown presets, JSON files included', async () => {
    const json = await fileWith('run.json', '{\n  "seed": "seven"\n}\n');
    expect(() => resolvePipelineConfig({ file: json })).toThrowError(/`seed`: expected number.*run\.json:2/);
    const typo = await fileWith('typo.yaml', 'eval:\n  promts: 3\n');
    expect(() => resolvePipelineConfig({ file: typo })).toThrowError(
      /`eval.promts`: unknown field.*typo\.yaml:2/,
    );
    expect(() => resolvePipelineConfig({ preset: 'huge' })).toThrowError(
      /unknown preset "huge"; allowed: quick/,
    );
    expect(() => resolvePipelineConfig({ overrides: { method: 'sft' } })).toThrowError(
      /`method`: expected one of "ocrm", "rlhf", "iterated", "dpo", "wpo"/,
    );
  });

  it('reports a YAML syntax error with its line', async () => {
    await expect(fileWith('bad.yaml', 'rounds: 2\nppo: [1, 2\n')).rejects.toThrowError(/bad\.yaml:\d/);
  });
});

describe('mergeConfig', () => {
  it('merges objects deeply, replaces scalars and arrays, ignores undefined, does not mutate', () => {
    const a = { x: { y: 1, z: [1, 2] }, k: 1 };
    const merged = mergeConfig(a, { x: { z: [3] }, k: undefined }, { x: { w: 2 } });
    expect(merged).toEqual({ x: { y: 1, z: [3], w: 2 }, k: 1 });
    expect(a).toEqual({ x: { y: 1, z: [1, 2] }, k: 1 });
  });

  it('a model section with another source replaces the preset model', () => {
    const merged = mergeConfig(
      { model: { source: 'scratch', config: { a: 1 } } },
      { model: { source: 'local', path: 'm' } },
    );
    expect(merged.model).toEqual({ source: 'local', path: 'm' });
  });

  it('checks the official-protocol options before anything runs, naming the field', async () => {
    const bad = (overrides: Record<string, unknown>) => () =>
      resolvePipelineConfig({ preset: 'quick', overrides });
    expect(bad({ weighting: { targetEss: 0.5 } })).toThrow(
      /weighting\.targetEss.*mutually exclusive.*ratioExponent to null/,
    );
    expect(bad({ weighting: { ratioExponent: null, targetEss: 0 } })).toThrow(/weighting\.targetEss/);
    expect(bad({ weighting: { ratioExponent: null, targetEss: 1.5 } })).toThrow(/weighting\.targetEss.*<= 1/);
    expect(bad({ weighting: { ratioExponent: null } })).toThrow(/weighting\.ratioExponent.*targetEss/);
    expect(bad({ rewardModel: { trainable: 'backbone' } })).toThrow(/rewardModel\.trainable.*"head"/);
    expect(bad({ rewardModel: { seedPolicy: 'random' } })).toThrow(/rewardModel\.seedPolicy/);
    expect(
      bad({
        rewardModel: { trainable: 'head' },
        model: { source: 'scratch', config: { num_hidden_layers: 0 } },
      }),
    ).toThrow(/rewardModel\.trainable.*backbone to freeze/);
    expect(bad({ rewardModel: { featureCache: 'run' } })).toThrow(
      /rewardModel\.featureCache.*needs rewardModel\.trainable 'head' \(it is 'all'\)/,
    );
    expect(bad({ rewardModel: { featureCache: 'disk' } })).toThrow(/rewardModel\.featureCache/);
    expect(bad({ eval: { samplesPerPrompt: 0 } })).toThrow(/eval\.samplesPerPrompt/);
    const file = await fileWith('run.yaml', 'weighting:\n  targetEss: 0.4\n');
    expect(() => resolvePipelineConfig({ file })).toThrow(/run\.yaml:2/);
    const ok = resolvePipelineConfig({ overrides: { weighting: { ratioExponent: null, targetEss: 0.4 } } });
    expect(ok.weighting.targetEss).toBe(0.4);
  });

  it('official-digest uses every official protocol choice', () => {
    const c = resolvePipelineConfig({ preset: 'official-digest' });
    expect(c.roundStart).toBe('restart');
    expect(c.rounds).toBe(3);
    expect(c.rewardModel.seedPolicy).toBe('same');
    expect(c.pairs.temperature).toBe(1);
    expect(c.ppo).toMatchObject({ temperature: 0.7, scorePosition: 'eosPlus1', weightDecay: 0.01 });
    expect(c.weighting).toMatchObject({ ratioExponent: null, normalize: 'none' });
    expect(c.weighting.targetEss).toBeGreaterThan(0);
    expect(c.eval).toMatchObject({ greedy: true, samplesPerPrompt: 4 });
  });

  it('checks every stage section with its package resolver before anything runs (file line included)', async () => {
    expect(() => resolvePipelineConfig({ overrides: { ppo: { klCoeff: 0.1 } } })).toThrow(
      /`ppo\.klCoeff`: unknown field/,
    );
    expect(() => resolvePipelineConfig({ overrides: { rewardModel: { batchSize: 0 } } })).toThrow(
      /`rewardModel\.batchSize`/,
    );
    expect(() => resolvePipelineConfig({ overrides: { sft: { epochz: 1 } } })).toThrow(/`sft\.epochz`/);
    expect(() => resolvePipelineConfig({ overrides: { dpo: { beta: -1 } } })).toThrow(/`dpo\.beta`/);
    const file = await fileWith('run.yaml', 'preset: smoke\nppo:\n  totalUpdates: 2\n  numMinibatches: 3\n');
    expect(() => resolvePipelineConfig({ file })).toThrow(/`ppo\.numMinibatches`.*run\.yaml:4/);
  });
});
