import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_DIR, LOCK_OWNER_FILE, lockRunDirectory } from './run-lock';

const temp = () => mkdtemp(join(tmpdir(), 'ocrm-lock-'));

/** A pid that is not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('lockRunDirectory', () => {
  it('one writer: a second lock fails naming the holder; after release it succeeds', async () => {
    const root = join(await temp(), 'run');
    const lock = await lockRunDirectory(root);
    expect(existsSync(join(root, LOCK_DIR))).toBe(true);
    expect(JSON.parse(await readFile(join(root, LOCK_OWNER_FILE), 'utf8'))).toMatchObject({
      host: hostname(),
      pid: process.pid,
    });
    await expect(lockRunDirectory(root)).rejects.toMatchObject({
      code: 'RUN_DIRECTORY',
      message: expect.stringMatching(new RegExp(`in use by process ${process.pid} on ${hostname()}`)),
    });
    await lock.release();
    expect(existsSync(join(root, LOCK_DIR))).toBe(false);
    expect(existsSync(join(root, LOCK_OWNER_FILE))).toBe(false);
    const again = await lockRunDirectory(root);
    await again.release();
    await again.release(); // idempotent
  });

  it('a lock left by a dead process on this host is taken over', async () => {
    const root = join(await temp(), 'run');
    const stale = await lockRunDirectory(root);
    // Simulate kill -9: the lock folder stays, the owner file names a pid that no longer runs.
    const pid = await deadPid();
    await writeFile(
      join(root, LOCK_OWNER_FILE),
      JSON.stringify({ host: hostname(), pid, since: new Date().toISOString() }),
    );
    const lock = await lockRunDirectory(root);
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
    await stale.release();
  });

  it('a lock whose taker died before writing its owner file (kill -9 in that window) is taken over after the grace', async () => {
    const root = join(await temp(), 'run');
    // The lock folder alone, as `mkdir` left it: no owner file.
    await mkdir(join(root, LOCK_DIR), { recursive: true });
    const started = Date.now();
    const lock = await lockRunDirectory(root, { ownerGraceMs: 400 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
  });

  it('an owner file written within the grace is respected (a live holder that just took the lock)', async () => {
    const root = join(await temp(), 'run');
    await mkdir(join(root, LOCK_DIR), { recursive: true });
    setTimeout(() => {
      void writeFile(
        join(root, LOCK_OWNER_FILE),
        JSON.stringify({ host: 'node-7', pid: 1234, since: '2026-12-07T00:00:00.000Z' }),
      );
    }, 100);
    await expect(lockRunDirectory(root, { ownerGraceMs: 2000 })).rejects.toThrow(
      /in use by process 1234 on node-7/,
    );
  });

  it('a live holder on another host is respected while its lock is fresh', async () => {
    const root = join(await temp(), 'run');
    const held = await lockRunDirectory(root);
    await writeFile(
      join(root, LOCK_OWNER_FILE),
      JSON.stringify({ host: 'node-7', pid: 1234, since: '2026-12-06T00:00:00.000Z' }),
    );
    await expect(lockRunDirectory(root)).rejects.toThrow(/in use by process 1234 on node-7/);
    await held.release();
  });

  it('a file in the way of the run directory is bad input (RUN_DIRECTORY), not a crash', async () => {
    const dir = await temp();
    await writeFile(join(dir, 'file'), 'x');
    await expect(lockRunDirectory(join(dir, 'file'))).rejects.toMatchObject({
      code: 'RUN_DIRECTORY',
      message: expect.stringContaining('a file is in the way'),
    });
    await expect(lockRunDirectory(join(dir, 'file', 'run'))).rejects.toMatchObject({ code: 'RUN_DIRECTORY' });
  });
});
