import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WeightingStrategy } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { loadImplementation } from './load-module';

describe('loadImplementation (config fields naming a module: weighting.module, task.judgeModule)', () => {
  it('takes a default-export factory, calls it with the config section, and checks the contract', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-module-'));
    const file = join(dir, 'strategy.mjs');
    await writeFile(
      file,
      `export default (config) => ({ specificationVersion: 'v1', name: 'const-' + config.ratioExponent,
         weigh: (input) => ({ logWeights: new Float64Array(input.logpPolicyChosen.length).fill(config.ratioExponent) }) });`,
    );
    const strategy = await loadImplementation<WeightingStrategy>(file, 'strategy', 'weigh', {
      ratioExponent: 0.5,
    });
    expect(strategy.name).toBe('const-0.5');
    const out = strategy.weigh({
      logpPolicyChosen: new Float64Array(2),
      logpPolicyRejected: new Float64Array(2),
      logpSamplerChosen: new Float64Array(2),
      logpSamplerRejected: new Float64Array(2),
    });
    expect(Array.from(out.logWeights)).toEqual([0.5, 0.5]);
  });

  it('takes a named export object; rejects modules that break the contract or do not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-module-'));
    const named = join(dir, 'judge.mjs');
    await writeFile(
      named,
      `export const judge = { specificationVersion: 'v1', name: 'j', score: async (p) => p.map(() => 1) };`,
    );
    const judge = await loadImplementation<{ name: string }>(named, 'judge', 'score', {});
    expect(judge.name).toBe('j');
    const bad = join(dir, 'bad.mjs');
    await writeFile(bad, `export default { name: 'no version' };`);
    await expect(loadImplementation(bad, 'judge', 'score', {}, 'task.judgeModule')).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('task.judgeModule'),
    });
    await expect(loadImplementation(join(dir, 'missing.mjs'), 'judge', 'score', {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
