import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, OcrmError } from '@ocrm/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeHub } from '../test-support/fake-hub';
import { downloadModel } from './download-model';
import { uploadFolder } from './upload-folder';

let root: string;
let hub: FakeHub;
let model: string;
const dirs: string[] = [];
const temp = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
const weights = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 31) % 251));

beforeAll(async () => {
  vi.spyOn(console, 'debug').mockImplementation(() => {});
  root = await temp('ocrm-fakehub-up-');
  hub = await FakeHub.start(root);
  model = await temp('ocrm-model-');
  await writeFile(join(model, 'config.json'), '{"model_type":"gpt_neox"}');
  await writeFile(join(model, 'model.safetensors'), weights);
  await writeFile(join(model, 'tokenizer.json'), '{"model":{}}');
  await mkdir(join(model, 'sub'));
  await writeFile(join(model, 'sub', 'notes.txt'), 'nested');
  await writeFile(join(model, '.model.safetensors.tmp-1-x'), 'left by a kill: never uploaded');
});

afterAll(async () => {
  await hub.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('uploadFolder', () => {
  it('creates the repo, commits every file (weights through LFS) and the Hub serves them back byte for byte', async () => {
    const pushed = await uploadFolder('acme/pushed', model, {
      hubUrl: hub.url,
      accessToken: 'hf_test',
      private: true,
      commitTitle: 'ppo-2 of a run',
      extraFiles: [{ path: 'README.md', content: '# card' }],
    });
    expect(pushed.created).toBe(true);
    expect(pushed.files).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'sub/notes.txt',
      'tokenizer.json',
    ]);
    expect(pushed.commit?.url).toContain('/acme/pushed/commit/');
    expect(hub.uploads.created).toEqual([{ repo: 'acme/pushed', visibility: 'private' }]);
    const [commit] = hub.uploads.commits;
    expect(commit?.title).toBe('ppo-2 of a run');
    expect(commit?.files).toContainEqual({ path: 'model.safetensors', key: 'lfsFile' });
    expect(commit?.files).toContainEqual({ path: 'config.json', key: 'file' });
    const api = hub.requests.filter((r) => !r.url.startsWith('/lfs-upload/'));
    expect(api.every((r) => r.authorization === 'Bearer hf_test')).toBe(true);

    const cache = await temp('ocrm-cache-');
    const back = await downloadModel('acme/pushed', { hubUrl: hub.url, cacheDir: cache });
    expect(await readFile(join(back.dir, 'model.safetensors'))).toEqual(weights);
    expect(await readFile(join(back.dir, 'config.json'), 'utf8')).toBe('{"model_type":"gpt_neox"}');
    expect(await readFile(join(root, 'models/acme/pushed/main/README.md'), 'utf8')).toBe('# card');
  });

  it('pushes again into the existing repo without re-sending LFS objects the Hub has', async () => {
    const before = hub.requests.length;
    const again = await uploadFolder('acme/pushed', model, { hubUrl: hub.url, accessToken: 'hf_test' });
    expect(again.created).toBe(false);
    const requests = hub.requests.slice(before);
    expect(requests.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(hub.uploads.commits).toHaveLength(2);
  });

  it('refuses without a token, with a bad repo id or an empty folder, before any request', async () => {
    const before = hub.requests.length;
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    const noToken = await refused(uploadFolder('acme/x', model, { hubUrl: hub.url }));
    expect(noToken).toBeInstanceOf(InvalidArgumentError);
    expect((noToken as OcrmError).hint).toContain('HF_TOKEN');
    expect(
      await refused(uploadFolder('not a repo', model, { hubUrl: hub.url, accessToken: 't' })),
    ).toBeInstanceOf(InvalidArgumentError);
    const empty = await temp('ocrm-empty-');
    expect(
      await refused(uploadFolder('acme/x', empty, { hubUrl: hub.url, accessToken: 't' })),
    ).toBeInstanceOf(InvalidArgumentError);
    expect(hub.requests.length).toBe(before);
  });

  it('names the repo and the token when the Hub refuses', async () => {
    const denied = async () =>
      new Response(JSON.stringify({ error: 'You do not have write access' }), {
        status: 403,
        headers: { 'Content-Type': 'application/json' },
      });
    const error = await uploadFolder('acme/other', model, {
      hubUrl: hub.url,
      accessToken: 'hf_read_only',
      fetch: denied as typeof fetch,
    }).catch((e: unknown) => e as OcrmError);
    expect(OcrmError.isInstance(error) && error.code).toBe('HUB');
    expect((error as OcrmError).message).toContain('acme/other (403)');
    expect((error as OcrmError).hint).toContain('write access');
  });
});
