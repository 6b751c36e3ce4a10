import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';
import { type FakeHubUploads, handleUpload } from './fake-hub-uploads';

/**
 * A local stand-in for the Hugging Face Hub (tests only), serving a folder laid out as
 * `{root}/{models|datasets}/{owner}/{name}/{encodeURIComponent(revision)}/{file path}`, e.g.
 * `datasets/o/d/refs%2Fconvert%2Fparquet/default/train/0000.parquet`. Each revision gets a fixed fake commit id
 * (sha1 of repo + revision), also accepted as a revision.
 *
 * Endpoints (those `@huggingface/hub` calls): `GET /api/{type}s/{repo}/tree/{rev}`, `POST /api/{type}s/{repo}/
 * paths-info/{rev}`, `GET|HEAD /{datasets/}{repo}/resolve/{rev}/{path}` with Range, ETag and X-Repo-Commit;
 * missing entries answer 404 with `X-Error-Code: EntryNotFound` (RepoNotFound / RevisionNotFound for repos and
 * revisions). Revisions are accepted raw (`refs/convert/parquet`) and URL-encoded. The upload endpoints of
 * `fake-hub-uploads.ts` write into the same layout, so what a test pushes it can download again.
 */
export class FakeHub {
  /** What the upload endpoints received (`handleUpload`). */
  readonly uploads: FakeHubUploads = { created: [], commits: [], lfs: new Map() };
  /** Every request: method, url and Authorization header. */
  readonly requests: { method: string; url: string; authorization?: string }[] = [];
  private readonly server: Server;
  private drops = new Map<string, number>();
  private port = 0;

  private constructor(readonly root: string) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  }

  /** Starts a server on 127.0.0.1 (random port) serving `root`. */
  static async start(root: string): Promise<FakeHub> {
    const hub = new FakeHub(root);
    await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', resolve));
    hub.port = (hub.server.address() as AddressInfo).port;
    return hub;
  }

  /** The `hubUrl` to pass to the client. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The fake commit id of a repo revision. */
  static commitOf(type: 'model' | 'dataset', repo: string, revision: string): string {
    return createHash('sha1').update(`${type}:${repo}@${revision}`).digest('hex');
  }

  /** The next `times` full downloads of `path` send half the bytes, then the connection is destroyed. */
  dropConnection(path: string, times = 1): void {
    this.drops.set(path, times);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '',
      authorization: req.headers.authorization,
    });
    if (await handleUpload(this.root, this.url, this.uploads, req, res)) return;
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'api') {
      const type = parts[1] === 'datasets' ? 'dataset' : 'model';
      const repo = `${decodeURIComponent(parts[2] ?? '')}/${decodeURIComponent(parts[3] ?? '')}`;
      const action = parts[4];
      const target = await this.locate(type, repo, parts.slice(5).map(decodeURIComponent).join('/'));
      if (!target) return this.notFound(res, 'RepoNotFound');
      if (action === 'paths-info') {
        const body = JSON.parse((await readBody(req)) || '{}') as { paths?: string[] };
        const infos = [];
        for (const path of body.paths ?? []) {
          const info = await this.fileInfo(target.dir, path, target.commit);
          if (info) infos.push(info);
        }
        return json(res, infos);
      }
      if (action === 'tree') {
        const files = await listFiles(target.dir);
        const prefix = target.rest ? `${target.rest}/` : '';
        const infos = [];
        for (const f of files.filter((f) => f.startsWith(prefix))) {
          infos.push(await this.fileInfo(target.dir, f, target.commit));
        }
        return json(res, infos);
      }
      return this.notFound(res, 'EntryNotFound');
    }
    const isDataset = parts[0] === 'datasets';
    const rest = isDataset ? parts.slice(1) : parts;
    if (rest[2] !== 'resolve') return this.notFound(res, 'EntryNotFound');
    const repo = `${rest[0]}/${rest[1]}`;
    const target = await this.locate(
      isDataset ? 'dataset' : 'model',
      repo,
      rest.slice(3).map(decodeURIComponent).join('/'),
    );
    if (!target) return this.notFound(res, 'RevisionNotFound');
    const info = await this.fileInfo(target.dir, target.rest, target.commit);
    if (!info) return this.notFound(res, 'EntryNotFound');
    const bytes = await readFile(join(target.dir, target.rest));
    let start = 0;
    let end = bytes.length - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), end) : end;
    }
    const body = bytes.subarray(start, end + 1);
    res.statusCode = range ? 206 : 200;
    res.setHeader('ETag', `"${info.oid}"`);
    res.setHeader('X-Repo-Commit', target.commit);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Length', String(body.length));
    if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${bytes.length}`);
    if (req.method === 'HEAD') return void res.end();
    const drops = this.drops.get(target.rest) ?? 0;
    if (drops > 0 && body.length > 1) {
      this.drops.set(target.rest, drops - 1);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(body);
  }

  /** Finds the revision folder of a repo whose name is a prefix of `revAndPath` (raw or encoded revision). */
  private async locate(type: 'model' | 'dataset', repo: string, revAndPath: string) {
    const repoDir = join(this.root, `${type}s`, ...repo.split('/'));
    const revisions = await readdir(repoDir).catch(() => undefined);
    if (!revisions) return undefined;
    for (const encoded of revisions.sort((a, b) => b.length - a.length)) {
      const revision = decodeURIComponent(encoded);
      const commit = FakeHub.commitOf(type, repo, revision);
      for (const name of [revision, commit]) {
        if (revAndPath === name || revAndPath.startsWith(`${name}/`)) {
          return { dir: join(repoDir, encoded), commit, rest: revAndPath.slice(name.length + 1) };
        }
      }
    }
    return undefined;
  }

  private async fileInfo(dir: string, path: string, commit: string) {
    const file = join(dir, path);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || relative(dir, file).startsWith('..')) return undefined;
    const bytes = await readFile(file);
    const oid = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    return {
      type: 'file',
      path,
      oid,
      size: bytes.length,
      lastCommit: { id: commit, title: 'fake commit', date: '2024-01-01T00:00:00.000Z' },
    };
  }

  private notFound(res: ServerResponse, code: string): void {
    res.statusCode = 404;
    res.setHeader('X-Error-Code', code);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ error: `${code}` }));
  }
}

function json(res: ServerResponse, value: unknown): void {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else out.push(relative(base, full).split(sep).join('/'));
  }
  return out.sort();
}
