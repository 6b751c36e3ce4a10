import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';

const worker = [new URL('./post-worker.mjs', import.meta.url), new URL('./post-worker.js', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((path) => existsSync(path));

let post: ((url: string, body: unknown) => unknown) | undefined;

/**
 * POSTs `body` as JSON and returns the parsed answer, synchronously: the `RewardModel` contract's `score` is
 * synchronous (it runs inside `tf.tidy`), so the request runs in a worker thread the caller blocks on (synckit). The
 * server must live in another process or thread — this one is blocked while it waits. 60 s timeout.
 */
export function postJsonSync<T>(url: string, body: unknown): T {
  if (!worker) throw new Error('remote-reward-model: post-worker.mjs is missing beside this module.');
  post ??= createSyncFn(worker) as (url: string, body: unknown) => unknown;
  return post(url, body) as T;
}

/** The same request, asynchronously (for `train`, which may await). */
export async function postJson<T>(url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}
