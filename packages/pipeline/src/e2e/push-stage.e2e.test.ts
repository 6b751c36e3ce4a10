// END-TO-END (~10 s): a smoke run's models pushed to a local fake Hub with @huggingface/hub and downloaded back.
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, OcrmError } from '@ocrm/core';
import { downloadModel } from '@ocrm/data';
import { FakeHub } from '@ocrm/data/test';
import { ScalarRewardModel } from '@ocrm/reward-model';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { pushStage } from '../hub/push-stage';
import { runPipeline } from '../run/run-pipeline';

describe('e2e: pushing a stage to the Hub', () => {
  let dir = '';
  let hubRoot = '';
  let hub: FakeHub;
  beforeAll(async () => {
    vi.spyOn(console, 'debug').mockImplementation(() => {});
    dir = await mkdtemp(join(tmpdir(), 'ocrm-push-'));
    hubRoot = await mkdtemp(join(tmpdir(), 'ocrm-push-hub-'));
    hub = await FakeHub.start(hubRoot);
    await runPipeline(resolvePipelineConfig({ preset: 'smoke' }), { outDir: dir });
  }, 300_000);
  afterAll(async () => {
    await hub?.close();
    for (const d of [dir, hubRoot]) if (d) await rm(d, { recursive: true, force: true });
  });

  it('uploads the policy with its tokenizer and a model card; the download is byte-identical', async () => {
    const pushed = await pushStage(dir, 'ppo-2', 'me/smoke-policy', { hubUrl: hub.url, accessToken: 'hf_x' });
    expect(pushed.files).toEqual(
      expect.arrayContaining([
        'README.md',
        'config.json',
        'model.safetensors',
        'tokenizer.json',
        'tokenizer_config.json',
      ]),
    );
    const cache = await mkdtemp(join(dir, 'cache-'));
    const back = await downloadModel('me/smoke-policy', { hubUrl: hub.url, cacheDir: cache });
    for (const file of ['model.safetensors', 'config.json', 'tokenizer.json']) {
      expect(await readFile(join(back.dir, file)), file).toEqual(
        await readFile(join(dir, 'ppo-2/policy', file)),
      );
    }
    const card = await readFile(join(hubRoot, 'models/me/smoke-policy/main/README.md'), 'utf8');
    expect(card).toMatch(/^---\nlibrary_name: transformers\npipeline_tag: text-generation\n/);
    expect(card).toContain('# ppo-2 of an ocrm run (ocrm, seed 0)');
    const results = JSON.parse(await readFile(join(dir, 'eval/results.json'), 'utf8')) as {
      stage: string;
      metrics: Record<string, number>;
    }[];
    const gold = results.find((r) => r.stage === 'ppo-2')!.metrics['eval/gold']!;
    expect(card).toContain(`| \`eval/gold\` | ${Number(gold.toPrecision(6))} |`);
    expect(hub.uploads.commits[0]!.title).toBe('ppo-2 of an ocrm ocrm run (seed 0)');
  });

  it('pushes a reward model that loads back as one', async () => {
    await pushStage(dir, 'rm-1', 'me/smoke-rm', { hubUrl: hub.url, accessToken: 'hf_x' });
    const back = await downloadModel('me/smoke-rm', {
      hubUrl: hub.url,
      cacheDir: await mkdtemp(join(dir, 'c-')),
    });
    const rm1 = await ScalarRewardModel.load(back.dir, { frozen: true });
    rm1.dispose();
    const card = await readFile(join(hubRoot, 'models/me/smoke-rm/main/README.md'), 'utf8');
    expect(card).toContain('AutoModelForSequenceClassification');
  });

  it('refuses a stage without a model and one that is not done, naming the stage', async () => {
    const error = await pushStage(dir, 'pairs', 'me/x', { hubUrl: hub.url, accessToken: 'hf_x' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain('sft, rm-1, ppo-1, rm-2, ppo-2');
    await unlink(join(dir, 'rm-2/done'));
    const notDone = await pushStage(dir, 'rm-2', 'me/x', { hubUrl: hub.url, accessToken: 'hf_x' }).catch(
      (e) => e,
    );
    expect(OcrmError.isInstance(notDone) && notDone.code).toBe('RUN_DIRECTORY');
  });
});
