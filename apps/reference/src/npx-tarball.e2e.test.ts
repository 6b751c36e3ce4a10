import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const app = join(repo, 'apps/reference');

type Manifest = { name: string; version: string; dependencies?: Record<string, string> };
const readManifest = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The folders of `@ocrm/cli` and every `@ocrm/*` package it needs, at any depth. */
async function workspaceClosure(): Promise<string[]> {
  const byName = new Map<string, string>();
  for (const dir of await readdir(join(repo, 'packages'))) {
    byName.set((await readManifest(join(repo, 'packages', dir))).name, join(repo, 'packages', dir));
  }
  const out = new Set<string>([app]);
  const queue = [app];
  while (queue.length > 0) {
    const manifest = await readManifest(queue.pop()!);
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const dir = byName.get(dep);
      if (dir && !out.has(dir)) {
        out.add(dir);
        queue.push(dir);
      }
    }
  }
  return [...out];
}

/**
 * A lockfile for the empty project holding the repository's locked third-party production packages, so `npm install
 * --offline` takes them from the npm cache `npm ci` filled (tests download nothing).
 */
async function offlineLockfile(workspaces: string[]): Promise<object> {
  const lock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { link?: boolean; dev?: boolean; version?: string; resolved?: string }>;
  };
  // A workspace's own copies (`apps/reference/node_modules/commander`, another major than the hoisted one) go below
  // its package in the project (`node_modules/@ocrm/cli/node_modules/commander`).
  const nested = new Map<string, string>();
  for (const dir of workspaces) {
    nested.set(
      `${relative(repo, dir).split(sep).join('/')}/node_modules/`,
      `node_modules/${(await readManifest(dir)).name}/node_modules/`,
    );
  }
  const packages: Record<string, unknown> = { '': { name: 'try-ocrm' } };
  for (const [lockPath, entry] of Object.entries(lock.packages)) {
    const prefix = [...nested.keys()].find((p) => lockPath.startsWith(p));
    const path = prefix ? nested.get(prefix)! + lockPath.slice(prefix.length) : lockPath;
    if (!prefix && (!path.startsWith('node_modules/') || path.startsWith('node_modules/@ocrm/'))) continue;
    if (entry.link || entry.dev) continue;
    // npm leaves out `resolved` for the default registry; with it (and the integrity) the tarball comes from the
    // cache by its hash, without asking for the package's metadata.
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const resolved =
      entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    packages[path] = { ...entry, resolved };
  }
  return { name: 'try-ocrm', lockfileVersion: 3, requires: true, packages };
}

describe('e2e: the packed @ocrm/cli in an empty folder', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('installs from its tarballs alone and `npx @ocrm/cli run` (also with --workers) gives the results of the workspace build', async () => {
    expect(existsSync(join(app, 'dist/bin.js')), 'build @ocrm/cli first').toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'ocrm-npx-'));
    const packs = join(dir, 'packs');
    const project = join(dir, 'project');
    await mkdir(packs);
    await mkdir(project);
    const tarballs: string[] = [];
    const workspaces = await workspaceClosure();
    for (const pkg of workspaces) {
      const { stdout } = await run(
        'npm',
        ['pack', '--ignore-scripts', '--json', '--pack-destination', packs],
        { cwd: pkg },
      );
      tarballs.push(join(packs, (JSON.parse(stdout) as { filename: string }[])[0]!.filename));
    }
    expect(tarballs.some((t) => /ocrm-cli-[\d.]+\.tgz$/.test(t))).toBe(true);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'try-ocrm', private: true }));
    await writeFile(join(project, 'package-lock.json'), JSON.stringify(await offlineLockfile(workspaces)));
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], {
      cwd: project,
      timeout: 300_000,
    });

    const npx = (args: string[]) => run('npx', ['--offline', '@ocrm/cli', ...args], { cwd: project });
    const version = await npx(['--version']);
    expect(version.stdout.trim()).toBe((await readManifest(app)).version);

    const packed = await npx([
      'run',
      '--preset',
      'smoke',
      '--out',
      'run',
      '--quiet',
      '--json',
      '--tensorboard',
    ]);
    const summary = JSON.parse(packed.stdout) as { method: string; rounds: unknown[] };
    expect(summary.method).toBe('ocrm');
    expect(summary.rounds).toHaveLength(2);
    // The bundled dependencies load from the install too (crc-32 and protobufjs for --tensorboard).
    expect(existsSync(join(project, 'run/tensorboard/sft'))).toBe(true);

    await run(
      process.execPath,
      [join(app, 'dist/bin.js'), 'run', '--preset', 'smoke', '--out', 'local', '--quiet'],
      {
        cwd: dir,
      },
    );
    const results = async (runDir: string) => readFile(join(runDir, 'eval/results.json'), 'utf8');
    expect(await results(join(project, 'run'))).toBe(await results(join(dir, 'local')));

    // Data-parallel workers start from the installed packages (@ocrm/core's worker script, the trainers' replica
    // modules, @ocrm/backend-wasm) and give the workspace's one-thread numbers.
    const micro = [
      '--set',
      'sft.microBatchSize=16',
      '--set',
      'rewardModel.microBatchSize=8',
      '--set',
      'ppo.microBatchSize=4',
    ];
    await npx(['run', '--preset', 'smoke', '--out', 'run-workers', '--quiet', '--workers', '1', ...micro]);
    await run(
      process.execPath,
      [join(app, 'dist/bin.js'), 'run', '--preset', 'smoke', '--out', 'local-micro', '--quiet', ...micro],
      { cwd: dir },
    );
    expect(await results(join(project, 'run-workers'))).toBe(await results(join(dir, 'local-micro')));
  }, 600_000);
});
