import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { downloadHubFile } from './download-hub-file';

/** Servers on 127.0.0.1 that misbehave: accept and never answer; answer headers then stall; refuse. */
const sockets = new Set<Socket>();
function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

let silent: { server: Server; url: string };
let stalling: { server: Server; url: string };
let refusedUrl: string;
beforeAll(async () => {
  vi.spyOn(console, 'debug').mockImplementation(() => {});
  silent = await listen(() => {}); // accepts, never answers
  stalling = await listen((req, res) => {
    // Metadata requests succeed; the file body sends a few bytes, then nothing.
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': '1000',
      etag: '"abc"',
      'x-repo-commit': 'a'.repeat(40),
    });
    if (req.method === 'HEAD') res.end();
    else res.write(Buffer.alloc(10));
  });
  const closed = await listen(() => {});
  refusedUrl = closed.url;
  await new Promise((r) => closed.server.close(r));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([silent, stalling].map(({ server }) => new Promise((r) => server.close(r))));
});

const repo = { type: 'model' as const, name: 'acme/tiny' };

describe('bounded Hub requests', () => {
  it('a server that accepts and never answers fails within the request timeout, naming endpoint, file and cause', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'ocrm-hub-silent-'));
    const t0 = Date.now();
    const error = await downloadHubFile(repo, 'config.json', {
      hubUrl: silent.url,
      cacheDir,
      requestTimeoutMs: 200,
      retries: 1,
      retryDelayMs: 10,
    }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(error.code).toBe('HUB');
    expect(error.message).toContain(silent.url);
    expect(error.message).toContain('config.json');
    expect(error.message).toMatch(/after 2 attempt\(s\).*timed out: no response within 0\.2 s/);
  });

  it('a body that stalls fails with the idle timeout and leaves no cache entry', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'ocrm-hub-stall-'));
    const error = await downloadHubFile(repo, 'model.safetensors', {
      hubUrl: stalling.url,
      cacheDir,
      idleTimeoutMs: 200,
      retries: 0,
    }).catch((e) => e);
    expect(error.code).toBe('HUB');
    expect(error.message).toMatch(/stalled \(no data for 0\.2 s\)|timed out/);
    const snapshots = join(cacheDir, 'models--acme--tiny', 'snapshots');
    const files = await readdir(snapshots, { recursive: true }).catch(() => []);
    expect(files.filter((f) => String(f).endsWith('model.safetensors'))).toEqual([]);
  });

  it('a refused connection says so', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'ocrm-hub-refused-'));
    const error = await downloadHubFile(repo, 'config.json', {
      hubUrl: refusedUrl,
      cacheDir,
      retries: 0,
    }).catch((e) => e);
    expect(error.code).toBe('HUB');
    expect(error.message).toMatch(/connection refused/);
  });

  it('the abort signal stops a hanging request at once', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'ocrm-hub-abort-'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const t0 = Date.now();
    const error = await downloadHubFile(repo, 'config.json', {
      hubUrl: silent.url,
      cacheDir,
      signal: controller.signal,
    }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(error.code).toBe('ABORTED');
  });
});
