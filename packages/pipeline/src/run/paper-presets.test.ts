// Wiring of the GPU presets (`paper-tldr`, `paper-alpaca`) without a GPU or the network: tiny fixture models are
// served under the presets' Hub names by a local fake Hub; the real sizes are not run.
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { RunDirectory } from '@ocrm/core';
import { FakeHub } from '@ocrm/data/test';
import { loadModel } from '@ocrm/models';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { initialPolicy } from '../stages/models';
import { createStageContext } from './create-context';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = (...p: string[]) => join(repoRoot, 'fixtures', ...p);

async function serveModel(root: string, repo: string, from: string, tokenizerGz?: string) {
  const dir = join(root, 'models', repo, 'main');
  await mkdir(dir, { recursive: true });
  for (const file of ['config.json', 'model.safetensors']) await copyFile(join(from, file), join(dir, file));
  if (tokenizerGz) await writeFile(join(dir, 'tokenizer.json'), gunzipSync(await readFile(tokenizerGz)));
}

describe('paper presets: wiring against a fake Hub', () => {
  let hub: FakeHub;
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ocrm-paper-'));
    const root = join(work, 'hub');
    const neoxTokenizer = join(repoRoot, 'packages/data/assets/tokenizers/gpt-neox-20b/tokenizer.json.gz');
    await serveModel(root, 'EleutherAI/pythia-1b-deduped', fixture('hf-tiny-reference/gpt-neox-tiny'));
    await serveModel(
      root,
      'Qwen/Qwen2.5-1.5B',
      fixture('hf-tiny-reference/qwen2-tiny'),
      fixture('data/tokenizers/qwen3/tokenizer.json.gz'),
    );
    await serveModel(
      root,
      'Skywork/Skywork-Reward-Llama-3.1-8B-v0.2',
      fixture('hf-tiny-reference/gpt-neox-tiny-rm'),
      neoxTokenizer,
    );
    const data = join(
      root,
      'datasets/tatsu-lab/alpaca_farm',
      encodeURIComponent('refs/convert/parquet'),
      'alpaca_instructions/sft',
    );
    await mkdir(data, { recursive: true });
    await copyFile(fixture('data/alpacafarm-eval/eval-slice.json'), join(data, '0000.json'));
    await writeFile(
      join(data, 'broken.jsonl'),
      '{"instruction": "ok", "input": "", "output": "fine"}\n{"instruction": \n',
    );
    // A judge with YaRN rope scaling (unsupported): its config is served, its weights must never be asked for.
    const yarn = join(root, 'models', 'Skywork/yarn-rope-judge', 'main');
    await mkdir(yarn, { recursive: true });
    const neoxRm = JSON.parse(
      await readFile(fixture('hf-tiny-reference/gpt-neox-tiny-rm/config.json'), 'utf8'),
    );
    await writeFile(
      join(yarn, 'config.json'),
      JSON.stringify({
        ...neoxRm,
        rope_parameters: { ...neoxRm.rope_parameters, rope_type: 'yarn', factor: 4 },
      }),
    );
    await copyFile(
      fixture('hf-tiny-reference/gpt-neox-tiny-rm/model.safetensors'),
      join(yarn, 'model.safetensors'),
    );
    hub = await FakeHub.start(root);
    vi.stubEnv('HF_ENDPOINT', hub.url);
    vi.stubEnv('HF_HUB_CACHE', join(work, 'cache'));
    vi.stubEnv('HF_HUB_OFFLINE', '');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await hub?.close();
  });

  it('both need the Hub and a GPU and select the native GPU backend', () => {
    for (const name of ['paper-tldr', 'paper-alpaca']) {
      const config = resolvePipelineConfig({ preset: name });
      expect(config.backend).toBe('node-gpu');
      expect(config.model.source).toBe('hub');
    }
  });

  it('paper-tldr: the tldr-mini task and the Pythia repo resolve to a loadable policy', {
    timeout: 120_000,
  }, async () => {
    const config = resolvePipelineConfig({
      preset: 'paper-tldr',
      overrides: { task: { options: { numTrain: 16, numEval: 8 } } },
    });
    const ctx = await createStageContext(config, new RunDirectory(join(work, 'tldr')), { emit: () => {} });
    expect(ctx.task.name).toBe('tldr-mini');
    const policy = await initialPolicy(config, ctx.task);
    expect(policy.vocabSize).toBe(1024); // the tiny fixture served as EleutherAI/pythia-1b-deduped
    const sample = await policy.sample([[5, 6, 7]], { temperature: 1, maxNewTokens: 3, seed: 0 });
    expect(sample.batch.seqLength).toBe(6);
    policy.dispose();
    expect(
      hub.requests.some((r) => r.url.includes('EleutherAI/pythia-1b-deduped/resolve/main/model.safetensors')),
    ).toBe(true);
  });

  it('paper-alpaca: the hub task reads AlpacaFarm records, loads the neural gold judge and the Qwen repo', {
    timeout: 120_000,
  }, async () => {
    const config = resolvePipelineConfig({
      preset: 'paper-alpaca',
      overrides: {
        task: { options: { dataset: { path: 'alpaca_instructions/sft/0000.json' }, numEval: 5 } },
      },
    });
    const ctx = await createStageContext(config, new RunDirectory(join(work, 'alpaca')), { emit: () => {} });
    expect(ctx.task.trainPrompts.length + ctx.task.evalPrompts.length).toBe(30);
    expect(ctx.task.trainPrompts[0]!.prompt).toMatch(/^INSTRUCTION: /);
    // The judge is the tiny RM fixture served under the 8B judge's name (its vocabulary is too small to score real
    // text, so only its loading is checked here; NeuralGoldJudge's own tests score with it).
    expect(ctx.judge.specificationVersion).toBe('v1');
    expect(
      hub.requests.some((r) =>
        r.url.includes('Skywork-Reward-Llama-3.1-8B-v0.2/resolve/main/model.safetensors'),
      ),
    ).toBe(true);
    const model = await loadModel(
      join(
        work,
        'cache',
        'models--Qwen--Qwen2.5-1.5B',
        'snapshots',
        FakeHub.commitOf('model', 'Qwen/Qwen2.5-1.5B', 'main'),
      ),
    );
    expect(model.config.numKvHeads).toBe(2);
    model.dispose();
  });

  it('an unsupported judge fails on its config.json, before any weight is requested', {
    timeout: 120_000,
  }, async () => {
    const config = resolvePipelineConfig({
      preset: 'paper-alpaca',
      overrides: {
        task: {
          options: {
            dataset: { path: 'alpaca_instructions/sft/0000.json' },
            judge: { repo: 'Skywork/yarn-rope-judge' },
          },
        },
      },
    });
    const before = hub.requests.length;
    await expect(
      createStageContext(config, new RunDirectory(join(work, 'yarn')), { emit: () => {} }),
    ).rejects.toThrow(/rope type `yarn` is not supported/);
    const asked = hub.requests.slice(before).map((r) => r.url);
    expect(asked.some((url) => url.includes('yarn-rope-judge/resolve/main/config.json'))).toBe(true);
    // Only config.json and its metadata lookup (`paths-info`): no weight file.
    expect(asked.filter((url) => url.includes('yarn-rope-judge') && /safetensors|\.bin/.test(url))).toEqual(
      [],
    );
  });

  it('an unreadable dataset fails at start with its file and line, before the run directory is touched', {
    timeout: 120_000,
  }, async () => {
    const config = resolvePipelineConfig({
      preset: 'paper-alpaca',
      overrides: { task: { options: { dataset: { path: 'alpaca_instructions/sft/broken.jsonl' } } } },
    });
    const runDir = join(work, 'broken-run');
    await expect(
      createStageContext(config, new RunDirectory(runDir), { emit: () => {} }),
    ).rejects.toMatchObject({
      code: 'INVALID_DATA',
      message: expect.stringMatching(/broken\.jsonl, line 2/),
    });
    await expect(readFile(join(runDir, 'config.json'))).rejects.toThrow();
  });
});
