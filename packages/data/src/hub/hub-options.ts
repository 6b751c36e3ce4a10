import { homedir } from 'node:os';
import { join } from 'node:path';

/** Progress of one file download. */
export interface HubProgressEvent {
  /** Repo-relative path of the file. */
  file: string;
  /** Bytes received so far. */
  loaded: number;
  /** Total bytes when known. */
  total?: number;
}

/** Options shared by the Hub functions. Every field is optional; {@link hubOptionsFromEnv} fills them from the env. */
export interface HubOptions {
  /** Branch, tag or commit (e.g. `main`, `refs/convert/parquet`, a 40-hex commit). Default `main`. */
  revision?: string;
  /** Hub address. Default `https://huggingface.co` (`HF_ENDPOINT` through {@link hubOptionsFromEnv}). */
  hubUrl?: string;
  /** Cache folder in the Python `huggingface_hub` layout. Default `HF_HUB_CACHE`, `$HF_HOME/hub` or
   * `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Cache only: a missing entry fails with an `OFFLINE_MISS` error instead of downloading (`HF_HUB_OFFLINE=1`). */
  offline?: boolean;
  /** Access token for gated/private repos (`HF_TOKEN`). */
  accessToken?: string;
  /** A custom fetch (proxies, tests). */
  fetch?: typeof fetch;
  /** Download progress callback. */
  onProgress?: (event: HubProgressEvent) => void;
  /** Retries after a failed transfer (not after 404/401/403), with exponential backoff. Default 3. */
  retries?: number;
  /** First backoff delay in ms (doubles each retry). Default 500. */
  retryDelayMs?: number;
  /** Longest wait for a response's headers (connect and server time), per request. Default 30 000. */
  requestTimeoutMs?: number;
  /** Longest pause between two chunks of a response body. Default 60 000. */
  idleTimeoutMs?: number;
  /** Longest single request, body included. Default 7 200 000 (2 h). */
  totalTimeoutMs?: number;
  /** Aborts every request at once (Ctrl-C); the cache stays consistent (blobs are renamed into place when whole). */
  signal?: AbortSignal;
}

/**
 * Hub options from environment variables: `HF_HUB_CACHE` / `HF_HOME` (cache), `HF_HUB_OFFLINE=1` (cache only),
 * `HF_TOKEN` (access token) and `HF_ENDPOINT` (hub address; read by Python's `huggingface_hub`, not by
 * `@huggingface/hub`, here as our convenience).
 */
export function hubOptionsFromEnv(env: Record<string, string | undefined> = process.env): HubOptions {
  const options: HubOptions = { cacheDir: defaultCacheDir(env) };
  const offline = env.HF_HUB_OFFLINE?.toLowerCase();
  if (offline === '1' || offline === 'true' || offline === 'yes' || offline === 'on') options.offline = true;
  if (env.HF_TOKEN) options.accessToken = env.HF_TOKEN;
  if (env.HF_ENDPOINT) options.hubUrl = env.HF_ENDPOINT.replace(/\/+$/, '');
  return options;
}

/** The cache folder the env selects. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(homedir(), '.cache', 'huggingface', 'hub');
}
