import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { OcrmError } from '../errors';

/** The lock folder inside a run directory (created with `mkdir`, atomic on local and network filesystems). */
export const LOCK_DIR = '.lock';
/** Who holds the lock: `{ host, pid, since }`, written beside the lock folder. */
export const LOCK_OWNER_FILE = '.lock-owner.json';

/** The holder of a run directory's lock. */
export interface LockOwner {
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
}

/** Options of {@link lockRunDirectory}. */
export interface RunLockOptions {
  /**
   * A lock whose folder has not been refreshed for this long is stale and may be taken over (the holder refreshes it
   * every `stale / 4`; a holder on another host that died leaves it stale after this long). Default 60 s.
   */
  staleMs?: number;
  /** Called if the lock is lost while held (its folder removed or taken over): stop writing. */
  onCompromised?: (error: Error) => void;
  /**
   * A lock folder with no owner file this long after it was made or refreshed is abandoned: its taker died between
   * taking the lock and writing the owner file (a holder writes it at once), and it is taken over. Default 5 s.
   */
  ownerGraceMs?: number;
}

/** A held run-directory lock. */
export interface RunLock {
  readonly owner: LockOwner;
  /** Releases the lock (idempotent). */
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * With no owner file, waits until the lock folder is `graceMs` old (by its mtime, which a holder refreshes): true
 * when still no owner file has appeared — the lock's taker died before writing it — false as soon as one appears or
 * the lock is gone.
 */
async function abandonedWithoutOwner(root: string, lockPath: string, graceMs: number): Promise<boolean> {
  for (;;) {
    if (await readOwner(root)) return false;
    let age: number;
    try {
      age = Date.now() - (await stat(lockPath)).mtimeMs;
    } catch {
      return false;
    }
    if (age >= graceMs) return true;
    await new Promise((r) => setTimeout(r, Math.min(250, graceMs - age)));
  }
}

async function readOwner(root: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(join(root, LOCK_OWNER_FILE), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * Takes the single-writer lock of a run directory (created if missing), with `proper-lockfile` (an atomic `mkdir` of
 * `.lock`, refreshed while held, stale after `staleMs` without refresh — which works on shared filesystems). A lock
 * left by a dead process on this host (same host name, pid not running) is taken over at once, one whose taker died
 * before writing its owner file after `ownerGraceMs`; a live holder, or one on another host whose lock is still
 * fresh, makes this throw `OcrmError` `RUN_DIRECTORY` naming the holder.
 */
export async function lockRunDirectory(root: string, options: RunLockOptions = {}): Promise<RunLock> {
  try {
    await mkdir(root, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OcrmError(
      'RUN_DIRECTORY',
      `cannot create the run directory ${root} (${code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'not writable' : (error as Error).message}).`,
      { cause: error, hint: 'choose another --out: a folder you can write (it is created when missing).' },
    );
  }
  const stale = options.staleMs ?? 60_000;
  const lockfilePath = join(root, LOCK_DIR);
  const attempt = () =>
    lockfile.lock(root, {
      realpath: false,
      lockfilePath,
      stale,
      update: Math.max(1000, Math.floor(stale / 4)),
      retries: 0,
      onCompromised: (error) => {
        if (options.onCompromised) options.onCompromised(error);
      },
    });
  let unlock: () => Promise<void>;
  try {
    unlock = await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    let owner = await readOwner(root);
    if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
      // A new holder writes its owner file right after taking the lock: give it a moment, so a dead owner's file
      // is not mistaken for the current holder's.
      await new Promise((r) => setTimeout(r, 300));
      const again = await readOwner(root);
      if (again?.pid !== owner.pid || again.since !== owner.since) owner = again;
    }
    const abandoned =
      owner === undefined && (await abandonedWithoutOwner(root, lockfilePath, options.ownerGraceMs ?? 5000));
    if (!abandoned && owner === undefined) owner = await readOwner(root);
    if (
      abandoned ||
      (owner && owner.host === hostname() && owner.pid !== process.pid && !isAlive(owner.pid))
    ) {
      // The holder died on this host (kill -9, power loss of the process), or the lock's taker died before naming
      // itself: the lock is stale now.
      await rm(lockfilePath, { recursive: true, force: true });
      unlock = await attempt();
    } else {
      const who = owner
        ? `process ${owner.pid} on ${owner.host} (since ${owner.since})`
        : 'another process (no owner file yet)';
      throw new OcrmError('RUN_DIRECTORY', `${root} is in use by ${who}.`, {
        hint:
          'one run writes a run directory at a time: wait for it to finish, use another --out, or, if that process ' +
          `is gone, remove ${lockfilePath} (a lock not refreshed for ${Math.round(stale / 1000)} s is taken over).`,
      });
    }
  }
  const owner: LockOwner = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  await writeFile(join(root, LOCK_OWNER_FILE), `${JSON.stringify(owner)}\n`);
  let released = false;
  return {
    owner,
    async release() {
      if (released) return;
      released = true;
      const current = await readOwner(root);
      if (current?.pid === owner.pid && current.host === owner.host) {
        await rm(join(root, LOCK_OWNER_FILE), { force: true });
      }
      if (existsSync(lockfilePath)) await unlock().catch(() => undefined);
    },
  };
}
