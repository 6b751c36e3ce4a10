// END-TO-END (~5 s): a Hub that accepts and never answers cannot hang the CLI: SIGTERM during the download stops it
// within 2 s with exit 130. The "Hub" is a server on 127.0.0.1. Needs the built CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe.skipIf(!existsSync(BIN))('e2e: a silent Hub and SIGTERM', () => {
  let dir = '';
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    if (server) await new Promise((r) => server?.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('SIGTERM while a model download hangs exits 130 within 2 s and leaves no partial cache entry', {
    timeout: 120_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-hub-abort-'));
    let requests = 0;
    server = createServer(() => {
      requests++; // accept, never answer
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = join(dir, 'run.json');
    await writeFile(config, JSON.stringify({ preset: 'smoke', model: { source: 'hub', repo: 'acme/tiny' } }));
    const cache = join(dir, 'cache');
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--config', config, '--out', join(dir, 'run'), '--backend', 'wasm', '--quiet'],
      { stdio: 'ignore', env: { ...process.env, HF_ENDPOINT: url, HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '' } },
    );
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const start = Date.now();
    while (requests === 0) {
      if (Date.now() - start > 60_000) throw new Error('the CLI never reached the Hub');
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exit).toBe(130);
    expect(Date.now() - t0).toBeLessThan(2000);
    // Nothing half-downloaded in the cache: blobs are renamed into place only when whole.
    expect(existsSync(join(cache, 'models--acme--tiny', 'snapshots'))).toBe(false);
  });
});
