import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listFiles } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeHub } from '../test-support/fake-hub';
import { downloadDatasetFile, downloadModel } from './download-model';
import { hubOptionsFromEnv } from './hub-options';

let root: string;
const tempDirs: string[] = [];
const tempDir = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
let hub: FakeHub;
const weights = Buffer.alloc(50_000, 7);

async function put(path: string, content: string | Buffer) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

beforeAll(async () => {
  vi.spyOn(console, 'debug').mockImplementation(() => {}); // @huggingface/hub logs every download
  root = await tempDir('ocrm-fakehub-');
  await put('models/acme/tiny/main/config.json', '{"model_type":"gpt2"}');
  await put('models/acme/tiny/main/model.safetensors', weights);
  await put('models/acme/tiny/main/tokenizer.json', '{"model":{}}');
  await put('models/acme/tiny/v2/config.json', '{"model_type":"gpt_neox"}');
  await put(
    'models/acme/tiny/v2/model.safetensors.index.json',
    '{"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}}',
  );
  await put('models/acme/tiny/v2/s1.safetensors', 'one');
  await put('models/acme/tiny/v2/s2.safetensors', 'two');
  await put('datasets/acme/data/refs%2Fconvert%2Fparquet/default/train/0000.parquet', 'PAR1...PAR1');
  hub = await FakeHub.start(root);
});
afterAll(async () => {
  await hub.close();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  vi.restoreAllMocks();
});

const fresh = async () => ({
  hubUrl: hub.url,
  cacheDir: await tempDir('ocrm-cache-'),
  retryDelayMs: 1,
});

describe('downloadModel / downloadDatasetFile against a fake Hub', () => {
  it('downloads config, weights and the optional files into the Python cache layout, with progress', async () => {
    const options = await fresh();
    const events: number[] = [];
    const { dir, files } = await downloadModel('acme/tiny', {
      ...options,
      accessToken: 'hf_test',
      onProgress: (e) => e.file === 'model.safetensors' && events.push(e.loaded),
    });
    const commit = FakeHub.commitOf('model', 'acme/tiny', 'main');
    expect(dir).toBe(join(options.cacheDir, 'models--acme--tiny', 'snapshots', commit));
    expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect(await readFile(join(dir, 'model.safetensors'))).toEqual(weights);
    expect(
      (await readFile(join(options.cacheDir, 'models--acme--tiny', 'refs', 'main'), 'utf8')).trim(),
    ).toBe(commit);
    expect(events.at(-1)).toBe(weights.length);
    expect(hub.requests.some((r) => r.authorization === 'Bearer hf_test')).toBe(true);
  });

  it('follows a sharded index at a pinned revision', async () => {
    const { files } = await downloadModel('acme/tiny', { ...(await fresh()), revision: 'v2' });
    expect(Object.keys(files).sort()).toEqual([
      'config.json',
      'model.safetensors.index.json',
      's1.safetensors',
      's2.safetensors',
    ]);
    expect(await readFile(files['s2.safetensors'] as string, 'utf8')).toBe('two');
  });

  it('a 404 names repo and file and is not retried', async () => {
    const options = await fresh();
    const before = hub.requests.length;
    const error = await downloadDatasetFile('acme/data', 'missing.parquet', {
      ...options,
      revision: 'refs/convert/parquet',
    }).catch((e) => e);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('acme/data@refs/convert/parquet: missing.parquet');
    expect(hub.requests.length - before).toBe(1);
    await expect(downloadModel('acme/nope', options)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a connection dropped mid-file leaves no corrupt cache entry; the retry succeeds', async () => {
    const options = await fresh();
    hub.dropConnection('model.safetensors', 1);
    const noRetry = await downloadModel('acme/tiny', { ...options, retries: 0 }).catch((e) => e);
    expect(noRetry.code).toBe('HUB');
    const blobs = await readdir(join(options.cacheDir, 'models--acme--tiny', 'blobs'));
    expect(blobs.filter((b) => !b.endsWith('.incomplete'))).toHaveLength(1); // config.json only
    await expect(
      readFile(
        join(
          options.cacheDir,
          'models--acme--tiny',
          'snapshots',
          FakeHub.commitOf('model', 'acme/tiny', 'main'),
          'model.safetensors',
        ),
      ),
    ).rejects.toThrow();
    hub.dropConnection('model.safetensors', 1);
    const { dir } = await downloadModel('acme/tiny', options); // first attempt dropped, second succeeds
    expect(await readFile(join(dir, 'model.safetensors'))).toEqual(weights);
  });

  it('offline: cache hit by branch name, clear OFFLINE_MISS otherwise', async () => {
    const options = await fresh();
    const path = await downloadDatasetFile('acme/data', 'default/train/0000.parquet', {
      ...options,
      revision: 'refs/convert/parquet',
    });
    const before = hub.requests.length;
    const offline = { ...options, offline: true, hubUrl: 'http://127.0.0.1:9' };
    expect(
      await downloadDatasetFile('acme/data', 'default/train/0000.parquet', {
        ...offline,
        revision: 'refs/convert/parquet',
      }),
    ).toBe(path);
    expect(hub.requests.length).toBe(before);
    const miss = await downloadModel('acme/tiny', offline).catch((e) => e);
    expect(miss.code).toBe('OFFLINE_MISS');
    expect(miss.message).toContain('model acme/tiny@main: config.json');
  });

  it('serves tree listings with raw and encoded revisions', async () => {
    for (const revision of ['refs/convert/parquet', 'refs%2Fconvert%2Fparquet']) {
      const names = [];
      for await (const f of listFiles({
        repo: { type: 'dataset', name: 'acme/data' },
        revision,
        recursive: true,
        hubUrl: hub.url,
      }))
        names.push(f.path);
      expect(names).toEqual(['default/train/0000.parquet']);
    }
  });
});

describe('hubOptionsFromEnv', () => {
  it('reads HF_HOME / HF_HUB_CACHE, HF_HUB_OFFLINE, HF_TOKEN, HF_ENDPOINT', () => {
    expect(
      hubOptionsFromEnv({ HF_HOME: '/h', HF_HUB_OFFLINE: '1', HF_TOKEN: 't', HF_ENDPOINT: 'http://x/' }),
    ).toEqual({
      cacheDir: '/h/hub',
      offline: true,
      accessToken: 't',
      hubUrl: 'http://x',
    });
    expect(hubOptionsFromEnv({ HF_HOME: '/h', HF_HUB_CACHE: '/c', HF_HUB_OFFLINE: '0' })).toEqual({
      cacheDir: '/c',
    });
  });
});
