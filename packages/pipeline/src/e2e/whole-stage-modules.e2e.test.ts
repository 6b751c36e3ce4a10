// END-TO-END (slow, ~15 s): the weights, eval and report stages replaced as a whole, from config modules and code.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PairWeighter, readJsonlAll, SPECIFICATION_VERSION } from '@ocrm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { runPipeline } from '../run/run-pipeline';

describe('e2e: weights, eval and report are stages of their own', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(fileURLToPath(new URL('../..', import.meta.url)), '.tmp-whole-stages-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('config modules replace the three stages; their outputs land where the stages write', {
    timeout: 600_000,
  }, async () => {
    const dir = await tempDir();
    const files = {
      weighter: join(dir, 'weighter.mjs'),
      evaluator: join(dir, 'evaluator.mjs'),
      reporter: join(dir, 'reporter.mjs'),
    };
    // A PairWeighter factory of the weighting section: the reference at twice the section's λ.
    await writeFile(
      files.weighter,
      `import { densityRatioWeighter } from '@ocrm/weighting';
       export default (section) => {
         const inner = densityRatioWeighter({ ...section, ratioExponent: 2 * section.ratioExponent });
         return { specificationVersion: 'v1', name: 'double-lambda', async weighPairs(run) {
           const r = await inner.weighPairs(run);
           return { ...r, details: { ...r.details, by: 'double-lambda', round: run.round } };
         } };
       };`,
    );
    // A RunEvaluator factory of the eval section: the reference plus the number of responses it looked at.
    await writeFile(
      files.evaluator,
      `import { goldRunEvaluator } from '@ocrm/eval';
       export const evaluator = (section) => ({ specificationVersion: 'v1', name: 'counted', async evaluateRun(run) {
         const results = await goldRunEvaluator(section).evaluateRun(run);
         return results.map((r) => ({ ...r, metrics: { ...r.metrics, 'eval/responses': section.prompts * section.samplesPerPrompt } }));
       } });`,
    );
    await writeFile(
      files.reporter,
      `import { writeFile } from 'node:fs/promises';
       import { join } from 'node:path';
       export default { specificationVersion: 'v1', name: 'json', async writeReport({ runs, outDir }) {
         const path = join(outDir, 'report.json');
         await writeFile(path, JSON.stringify(runs.map((r) => r.final)));
         return [path];
       } };`,
    );
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: {
        method: 'ocrm',
        rounds: 2,
        weighting: { ratioExponent: 0.15, module: files.weighter },
        eval: { module: files.evaluator },
        reportModule: files.reporter,
      },
    });
    const out = join(dir, 'run');
    await runPipeline(config, { outDir: out });
    const details = JSON.parse(await readFile(join(out, 'weights-2', 'details.json'), 'utf8'));
    expect(details).toMatchObject({ by: 'double-lambda', round: 2, ratioExponent: 0.3 });
    const weights = await readJsonlAll<{ logWeight: number }>(join(out, 'weights-2', 'weights.jsonl'));
    expect(weights.some((w) => w.logWeight !== 0)).toBe(true);
    const results = JSON.parse(await readFile(join(out, 'eval', 'results.json'), 'utf8'));
    expect(results.map((r: { stage: string }) => r.stage)).toEqual(['sft', 'ppo-1', 'ppo-2']);
    const { prompts, samplesPerPrompt } = config.eval;
    for (const r of results) expect(r.metrics['eval/responses']).toBe(prompts * samplesPerPrompt);
    expect(JSON.parse(await readFile(join(out, 'report.json'), 'utf8'))[0]['eval/responses']).toBe(
      prompts * samplesPerPrompt,
    );
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    const report = JSON.parse(await readFile(join(out, 'report', 'fingerprint.json'), 'utf8'));
    expect(report.config.reportModule).toBe(files.reporter);
  });

  it('a module that is not a RunEvaluator stops the run before its folder exists, naming eval.module', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.mjs');
    await writeFile(bad, `export default { specificationVersion: 'v1', name: 'bad', evaluate() {} };`);
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { eval: { module: bad } } });
    const out = join(dir, 'run');
    await expect(runPipeline(config, { outDir: out })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('eval.module'),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('a pair weighter returning the wrong number of weights fails its stage with a contract error', {
    timeout: 600_000,
  }, async () => {
    const dir = await tempDir();
    const short: PairWeighter = {
      specificationVersion: SPECIFICATION_VERSION,
      name: 'short',
      weighPairs: async (run) => {
        const logWeights = new Float64Array(run.pairs.length - 1);
        const { weightDiagnostics } = await import('@ocrm/weighting');
        return { logWeights, diagnostics: weightDiagnostics(logWeights), metrics: {} };
      },
    };
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'ocrm', rounds: 2 } });
    await expect(
      runPipeline(config, { outDir: join(dir, 'run'), stages: { pairWeighter: short } }),
    ).rejects.toMatchObject({ code: 'CONTRACT', message: expect.stringContaining('short') });
    expect(existsSync(join(dir, 'run', 'weights-2', 'done'))).toBe(false);
  });
});
