// @ts-check
// Runs in a worker thread: `postJsonSync` in the main thread blocks on it (synckit) while it does the HTTP request.
import { runAsWorker } from 'synckit';

runAsWorker(async (/** @type {string} */ url, /** @type {unknown} */ body) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
});
