import { openAsBlob } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createRepo, uploadFiles } from '@huggingface/hub';
import { AbortError, InvalidArgumentError, OcrmError } from '@ocrm/core';
import { boundedFetch, DEFAULT_TOTAL_TIMEOUT_MS } from './bounded-fetch';
import { HubError } from './hub-errors';
import type { HubOptions } from './hub-options';

/** Options of {@link uploadFolder}. */
export interface UploadFolderOptions
  extends Pick<
    HubOptions,
    'hubUrl' | 'accessToken' | 'fetch' | 'signal' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'totalTimeoutMs'
  > {
  /** Branch to commit to. Default `main`. */
  branch?: string;
  /** Create the model repo when it does not exist (private when `private`). Default true. */
  create?: boolean;
  /** Visibility of a repo this call creates. Default false (public). */
  private?: boolean;
  /** Commit title. Default `Upload <n> files with ocrm`. */
  commitTitle?: string;
  /** Files committed besides the folder's (e.g. a generated `README.md` model card); they win over a same-named one. */
  extraFiles?: { path: string; content: string }[];
}

/** What {@link uploadFolder} committed. */
export interface UploadedFolder {
  /** Repo-relative paths of the committed files, sorted. */
  files: string[];
  /** The commit, when the Hub reports it. */
  commit?: { oid?: string; url?: string };
  /** Whether this call created the repo. */
  created: boolean;
}

/**
 * Uploads every file of a local folder to a Hugging Face model repo in one commit with `@huggingface/hub`
 * (`preupload`, Git LFS for what the Hub marks as large, `commit`; the classic LFS protocol, not Xet), creating the
 * repo first unless `create: false`. Every request is bounded by the timeouts of `boundedFetch`; nothing is retried
 * (a commit is not idempotent). Needs a write token (`accessToken`, `HF_TOKEN` through `hubOptionsFromEnv`).
 * @throws InvalidArgumentError for a bad repo id, no token or an empty folder; HubError when the Hub refuses (401/403:
 *   the token lacks write access); AbortError when `signal` fires.
 */
export async function uploadFolder(
  repo: string,
  dir: string,
  options: UploadFolderOptions = {},
): Promise<UploadedFolder> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new InvalidArgumentError(`uploadFolder: "${repo}" is not a model repo id (owner/name).`);
  }
  if (!options.accessToken) {
    throw new InvalidArgumentError(`uploadFolder: no access token to push to ${repo}.`, {
      hint: 'Set HF_TOKEN to a token with write access (https://huggingface.co/settings/tokens).',
    });
  }
  const extra = options.extraFiles ?? [];
  const paths = (await listFiles(dir)).filter((p) => !extra.some((e) => e.path === p));
  if (paths.length === 0) throw new InvalidArgumentError(`uploadFolder: ${dir} holds no file to upload.`);
  // An upload's response comes after its body is sent: the wait for it is bounded by the total timeout by default.
  const fetch = boundedFetch({
    ...options,
    requestTimeoutMs: options.requestTimeoutMs ?? options.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS,
  });
  const common = { hubUrl: options.hubUrl, accessToken: options.accessToken, fetch };
  let created = false;
  try {
    if (options.create ?? true) {
      try {
        await createRepo({
          ...common,
          repo: { type: 'model', name: repo },
          visibility: options.private ? 'private' : 'public',
        });
        created = true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 409) throw error; // 409: it exists
      }
    }
    const files = [
      ...(await Promise.all(
        paths.map(async (path) => ({ path, content: await openAsBlob(join(dir, ...path.split('/'))) })),
      )),
      ...extra.map((e) => ({ path: e.path, content: new Blob([e.content]) })),
    ];
    const output = await uploadFiles({
      ...common,
      repo: { type: 'model', name: repo },
      files,
      branch: options.branch ?? 'main',
      commitTitle: options.commitTitle ?? `Upload ${paths.length} files with ocrm`,
      abortSignal: options.signal,
      useXet: false,
      useWebWorkers: false,
    });
    return { files: files.map((f) => f.path).sort(), commit: output?.commit, created };
  } catch (error) {
    throw uploadError(error, repo);
  }
}

function uploadError(error: unknown, repo: string): OcrmError {
  if (OcrmError.isInstance(error)) return error;
  if ((error as Error).name === 'AbortError') return new AbortError(undefined, { cause: error });
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message ?? String(error);
  if (status === 401 || status === 403) {
    return new HubError(`The Hub refused the upload to ${repo} (${status}).`, {
      cause: error,
      status,
      hint: 'HF_TOKEN must be a token with write access to this repo (or its organization).',
    });
  }
  return new HubError(`Upload to ${repo} failed${status ? ` (${status})` : ''}: ${message}`, {
    cause: error,
    status,
    hint: 'Nothing is committed unless the commit call succeeded: rerun to upload again.',
  });
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue; // temporary files of atomic writes, .git…
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join('/'));
  }
  return out.sort();
}
