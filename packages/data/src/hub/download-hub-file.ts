import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { downloadFileToCacheDir } from '@huggingface/hub';
import { AbortError, InvalidArgumentError, NotFoundError, OcrmError, throwIfAborted } from '@ocrm/core';
import { boundedFetch, describeNetworkError, HubTimeoutError } from './bounded-fetch';
import { HubError, OfflineMissError } from './hub-errors';
import { defaultCacheDir, type HubOptions } from './hub-options';

/** A Hub repository. */
export interface HubRepo {
  type: 'model' | 'dataset';
  /** `owner/name`. */
  name: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** The cache folder of a repo (`models--owner--name`). */
export function repoCacheFolder(cacheDir: string, repo: HubRepo): string {
  return join(cacheDir, [`${repo.type}s`, ...repo.name.split('/')].join('--'));
}

/**
 * Downloads one file of a Hub repo into the cache (Python `huggingface_hub` layout, via `@huggingface/hub`'s
 * `downloadFileToCacheDir`: the blob is written to `*.incomplete` then renamed, so a killed or dropped download
 * never leaves a corrupt entry) and returns its local path. Also records `refs/{revision}` → commit so offline mode
 * finds the file by branch name. Offline (`options.offline`): cache only.
 *
 * @throws NotFoundError (code NOT_FOUND) naming repo, revision and file when the Hub has no such entry;
 * OfflineMissError (OFFLINE_MISS) offline when the cache lacks it; HubError (HUB) after the retries are exhausted or
 * on 401/403; AbortError when `signal` aborts.
 */
export async function downloadHubFile(
  repo: HubRepo,
  path: string,
  options: HubOptions = {},
): Promise<string> {
  if (!/^[^/]+\/[^/]+$/.test(repo.name)) {
    throw new InvalidArgumentError(`Hub repo name must be "owner/name", got ${JSON.stringify(repo.name)}`);
  }
  const revision = options.revision ?? 'main';
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const endpoint = options.hubUrl ?? 'https://huggingface.co';
  const what = `${repo.type} ${repo.name}@${revision}: ${path} (from ${endpoint})`;
  if (options.offline) {
    const hit = await cachedPath(cacheDir, repo, revision, path);
    if (hit) return hit;
    throw new OfflineMissError(`Offline mode and not in the cache (${cacheDir}): ${what}`, {
      hint: 'Unset HF_HUB_OFFLINE (or pass offline: false) to download it, or copy it into the cache.',
    });
  }
  const retries = options.retries ?? 3;
  const delay = options.retryDelayMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      const local = await downloadFileToCacheDir({
        repo,
        path,
        revision,
        hubUrl: options.hubUrl,
        cacheDir,
        accessToken: options.accessToken,
        fetch: progressFetch(options, path),
      });
      await recordRef(cacheDir, repo, revision, local);
      return local;
    } catch (error) {
      const mapped = options.signal?.aborted
        ? new AbortError(undefined, { cause: error })
        : classify(error, what);
      if (mapped || attempt >= retries) {
        throw (
          mapped ??
          new HubError(
            `Download failed after ${attempt + 1} attempt(s): ${what}: ${describeNetworkError(rootCause(error))}`,
            {
              cause: error,
              hint:
                'Check the network and HF_ENDPOINT; timeouts: hub options requestTimeoutMs / idleTimeoutMs / ' +
                'totalTimeoutMs; HF_HUB_OFFLINE=1 uses the cache only.',
            },
          )
        );
      }
      await sleep(delay * 2 ** attempt, options.signal);
    }
  }
}

/** Local path of a cached file, or undefined. */
export async function cachedPath(
  cacheDir: string,
  repo: HubRepo,
  revision: string,
  path: string,
): Promise<string | undefined> {
  const folder = repoCacheFolder(cacheDir, repo);
  let commit = revision;
  if (!COMMIT.test(revision)) {
    commit = (await readFile(join(folder, 'refs', revision), 'utf8').catch(() => '')).trim();
    if (!commit) return undefined;
  }
  const file = join(folder, 'snapshots', commit, path);
  return (await stat(file).catch(() => undefined))?.isFile() ? file : undefined;
}

/** Writes `refs/{revision}` = the snapshot id of a downloaded file (atomically). */
async function recordRef(cacheDir: string, repo: HubRepo, revision: string, local: string): Promise<void> {
  if (COMMIT.test(revision)) return;
  const folder = repoCacheFolder(cacheDir, repo);
  const snapshot = relative(join(folder, 'snapshots'), local).split(sep)[0];
  if (!snapshot) return;
  const ref = join(folder, 'refs', revision);
  await mkdir(dirname(ref), { recursive: true });
  const tmp = `${ref}.${process.pid}.tmp`;
  await writeFile(tmp, snapshot);
  await rename(tmp, ref);
}

/** The error in the cause chain that says what happened: a timeout of ours, or the one carrying a socket code. */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 6 && current && typeof current === 'object'; i++) {
    if (current instanceof HubTimeoutError) return current;
    const c = current as { code?: unknown; cause?: { code?: unknown } };
    if (typeof c.code === 'string' || typeof c.cause?.code === 'string') return current;
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}

/** Maps errors that must not be retried; undefined = retry (timeouts and transfer errors). */
function classify(error: unknown, what: string): OcrmError | undefined {
  if (OcrmError.isInstance(error)) return error;
  if (rootCause(error) instanceof HubTimeoutError) return undefined;
  if ((error as Error).name === 'AbortError') return new AbortError(undefined, { cause: error });
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message ?? '';
  if (status === 404 || /cannot get path info|invalid response for file/.test(message)) {
    return new NotFoundError(`Not found on the Hub: ${what}`, {
      cause: error,
      hint: 'Check the repo name, the revision and the file path (and HF_TOKEN for private repos).',
    });
  }
  if (status === 401 || status === 403) {
    return new HubError(`Access denied (${status}): ${what}`, {
      cause: error,
      status,
      hint: 'Set HF_TOKEN (or accessToken) to a token with access to this repo.',
    });
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new HubError(`Hub request failed (${status}): ${what}: ${message}`, { cause: error, status });
  }
  return undefined;
}

/**
 * A bounded fetch (timeouts, the caller's signal: see `boundedFetch`) that reports download progress of file bodies
 * (not of the 1-byte probes).
 */
function progressFetch(options: HubOptions, file: string): typeof fetch {
  const base = boundedFetch(options);
  const onProgress = options.onProgress;
  return async (input, init) => {
    const response = await base(input, init);
    const range = new Headers(init?.headers).get('Range');
    if (!onProgress || !response.body || range === 'bytes=0-0' || (init?.method ?? 'GET') !== 'GET')
      return response;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes('/resolve/')) return response;
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : undefined;
    let loaded = 0;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        onProgress({ file, loaded, total });
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new AbortError());
      },
      { once: true },
    );
  });
}
