import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeHub } from '../test-support/fake-hub';
import { createHubTask } from './create-hub-task';
import { TldrJudge } from './tldr-judge';

const fixtures = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
let root: string;
let cacheDir: string;
let hub: FakeHub;

beforeAll(async () => {
  vi.spyOn(console, 'debug').mockImplementation(() => {});
  root = await mkdtemp(join(tmpdir(), 'ocrm-hubtask-'));
  cacheDir = await mkdtemp(join(tmpdir(), 'ocrm-hubtask-cache-'));
  const model = join(root, 'models/acme/gpt2/main');
  await mkdir(model, { recursive: true });
  await writeFile(join(model, 'config.json'), '{"model_type":"gpt2"}');
  await writeFile(join(model, 'model.safetensors'), 'not read here');
  await writeFile(
    join(model, 'tokenizer.json'),
    gunzipSync(await readFile(`${fixtures}tokenizers/gpt2/tokenizer.json.gz`)),
  );
  const data = join(root, 'datasets/acme/tldr/refs%2Fconvert%2Fparquet/default/train');
  await mkdir(data, { recursive: true });
  await copyFile(`${fixtures}tldr-mini/tldr-mini-20.parquet`, join(data, '0000.parquet'));
  const small = join(root, 'datasets/acme/small/main');
  await mkdir(small, { recursive: true });
  await writeFile(join(small, 'empty.jsonl'), '\n\n');
  await writeFile(join(small, 'two.jsonl'), '{"q":"a","r":"b"}\n{"q":"c","r":"d"}\n');
  hub = await FakeHub.start(root);
});
afterAll(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('createHubTask', () => {
  it('assembles a task from a model tokenizer and a Parquet dataset file on the (fake) Hub', async () => {
    const task = await createHubTask({
      model: 'acme/gpt2',
      dataset: {
        repo: 'acme/tldr',
        path: 'default/train/0000.parquet',
        revision: 'refs/convert/parquet',
        format: 'tldr',
      },
      judge: new TldrJudge(['a']),
      numEval: 5,
      maxPromptTokens: 300,
      hub: { hubUrl: hub.url, cacheDir },
    });
    expect(task.tokenizer.encode('Hello')).toEqual([15496]);
    expect(task.trainPrompts).toHaveLength(15);
    expect(task.evalPrompts).toHaveLength(5);
    for (const p of task.evalPrompts) {
      expect(task.tokenizer.encode(p.prompt).length).toBeLessThanOrEqual(300);
      expect(p.reference?.startsWith(' ')).toBe(true);
    }
  });

  it('an empty dataset and one too small for numEval fail naming the file, not a bare numEval', async () => {
    const task = (path: string, numEval: number) =>
      createHubTask({
        model: 'acme/gpt2',
        dataset: { repo: 'acme/small', path, format: 'generic', fields: { prompt: 'q', response: 'r' } },
        judge: new TldrJudge(['a']),
        numEval,
        hub: { hubUrl: hub.url, cacheDir },
      });
    await expect(task('empty.jsonl', 1)).rejects.toThrow(/empty\.jsonl: the dataset has no records/);
    await expect(task('two.jsonl', 5)).rejects.toThrow(
      /`numEval`: expected 1\.\.1 \(.*two\.jsonl gives 2 examples\)/,
    );
  });
});
