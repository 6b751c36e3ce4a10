import { createHash } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';

/** What the fake Hub received through its upload endpoints (tests assert on it). */
export interface FakeHubUploads {
  /** Repos created (`owner/name`, visibility). */
  created: { repo: string; visibility?: string }[];
  /** Commits: repo, branch, title and the committed paths with how each came (`file` inline, `lfsFile`). */
  commits: { repo: string; branch: string; title: string; files: { path: string; key: string }[] }[];
  /** LFS objects received, by sha256. */
  lfs: Map<string, Buffer>;
}

/** Files of at least this size, and safetensors, go through LFS (the real Hub decides by size and .gitattributes). */
const LFS_MIN_BYTES = 10_000;

/**
 * The write endpoints `@huggingface/hub`'s `createRepo` and `uploadFiles` call (classic LFS, no Xet), on top of the
 * fake Hub's folder layout: `POST /api/repos/create`, `POST /api/models/{repo}/preupload/{branch}`,
 * `POST /{repo}.git/info/lfs/objects/batch` (basic transfer; objects already stored get no upload action),
 * `PUT /lfs-upload/{oid}` (the body's sha256 must equal oid), `POST /api/models/{repo}/commit/{branch}` (ndjson:
 * header, `file` base64, `lfsFile` by oid) — a commit writes the files into `{root}/models/{repo}/{branch}/`, where
 * the download endpoints serve them. Every API write needs an `Authorization: Bearer` header (else 401); the LFS
 * upload URL, like a presigned storage URL, does not.
 * @returns whether the request was one of these.
 */
export async function handleUpload(
  root: string,
  base: string,
  uploads: FakeHubUploads,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', base);
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  const write =
    (method === 'POST' && parts[0] === 'api' && parts[1] === 'repos' && parts[2] === 'create') ||
    (method === 'POST' &&
      parts[0] === 'api' &&
      parts[1] === 'models' &&
      ['preupload', 'commit'].includes(parts[4]!)) ||
    (method === 'POST' &&
      parts[1]?.endsWith('.git') &&
      parts.slice(2).join('/') === 'info/lfs/objects/batch') ||
    (method === 'PUT' && parts[0] === 'lfs-upload');
  if (!write) return false;
  // The LFS upload URL stands for a presigned storage URL: no Authorization header.
  if (method !== 'PUT' && !/^Bearer \S+/.test(req.headers.authorization ?? '')) {
    sendJson(res, { error: 'Invalid credentials in Authorization header' }, 401);
    return true;
  }
  const body = await readBytes(req);
  if (parts[1] === 'repos') {
    const { name, organization, visibility } = JSON.parse(body.toString('utf8')) as Record<string, string>;
    const repo = `${organization}/${name}`;
    const dir = join(root, 'models', organization!, name!, 'main');
    if (await exists(dir)) return sendJson(res, { error: 'You already created this model repo' }, 409);
    await mkdir(dir, { recursive: true });
    uploads.created.push({ repo, visibility });
    sendJson(res, { url: `${base}/${repo}`, id: repo });
    return true;
  }
  if (method === 'PUT') {
    const oid = parts[1]!;
    const sha = createHash('sha256').update(body).digest('hex');
    if (sha !== oid) return sendJson(res, { error: `sha256 ${sha} is not ${oid}` }, 400);
    uploads.lfs.set(oid, body);
    res.end();
    return true;
  }
  if (parts[0] !== 'api') {
    const request = JSON.parse(body.toString('utf8')) as { objects: { oid: string; size: number }[] };
    sendJson(res, {
      transfer: 'basic',
      objects: request.objects.map((o) =>
        uploads.lfs.has(o.oid)
          ? { oid: o.oid, size: o.size }
          : { oid: o.oid, size: o.size, actions: { upload: { href: `${base}/lfs-upload/${o.oid}` } } },
      ),
    });
    return true;
  }
  const repo = `${parts[2]}/${parts[3]}`;
  const branch = parts.slice(5).join('/');
  const repoDir = join(root, 'models', parts[2]!, parts[3]!);
  if (!(await exists(repoDir))) {
    res.setHeader('X-Error-Code', 'RepoNotFound');
    return sendJson(res, { error: 'Repository not found' }, 404);
  }
  if (parts[4] === 'preupload') {
    const { files } = JSON.parse(body.toString('utf8')) as { files: { path: string; size: number }[] };
    sendJson(res, {
      files: files.map((f) => ({
        path: f.path,
        uploadMode: f.size >= LFS_MIN_BYTES || f.path.endsWith('.safetensors') ? 'lfs' : 'regular',
      })),
    });
    return true;
  }
  const lines = body
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { key: string; value: Record<string, string> });
  const title = lines.find((l) => l.key === 'header')?.value.summary ?? '';
  const files: { path: string; key: string }[] = [];
  for (const { key, value } of lines) {
    if (key !== 'file' && key !== 'lfsFile') continue;
    const bytes = key === 'file' ? Buffer.from(value.content!, 'base64') : uploads.lfs.get(value.oid!);
    if (!bytes) return sendJson(res, { error: `LFS object ${value.oid} was never uploaded` }, 422);
    const target = join(repoDir, encodeURIComponent(branch), ...value.path!.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
    files.push({ path: value.path!, key });
  }
  uploads.commits.push({ repo, branch, title, files });
  const oid = createHash('sha1').update(`${repo}@${uploads.commits.length}`).digest('hex');
  sendJson(res, { commitOid: oid, commitUrl: `${base}/${repo}/commit/${oid}` });
  return true;
}

/** Answers with JSON; returns true (the request was handled). */
function sendJson(res: ServerResponse, value: unknown, status = 200): true {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(value));
  return true;
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
