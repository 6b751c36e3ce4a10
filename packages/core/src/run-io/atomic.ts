import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataError, IoError, NotFoundError } from '../errors';

/**
 * Writes a file atomically: the data goes to a temporary file in the same folder, is flushed to disk (`fsync`), then
 * renamed over `path`. A reader sees either the old file or the new one, never a half-written file; a crash before
 * the rename leaves the old file intact (and at worst a stray `.<name>.tmp-*` file). Creates missing parent folders.
 *
 * @param path Destination file.
 * @param data Bytes or UTF-8 text.
 * @throws IoError when the write or the rename fails (the temporary file is removed).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new IoError(`Could not write ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check that the folder is writable and the disk is not full',
    });
  }
  await syncDirectory(dir);
}

/** Best-effort fsync of a folder so a rename survives a power loss (not supported on every platform). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}

/**
 * Writes `value` as pretty-printed JSON (2-space indent, trailing newline) with {@link writeFileAtomic}.
 * @throws IoError on write failure.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Reads and parses a JSON file.
 * @throws NotFoundError when the file does not exist; DataError naming the file when it is not valid JSON.
 */
export async function readJson<T = unknown>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`File not found: ${path}`, { cause: error });
    }
    throw new IoError(`Could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new DataError(
      `invalid JSON (${(error as Error).message})`,
      { file: path },
      {
        cause: error,
        hint: 'fix or delete the file; OCRM writes JSON atomically, so it was edited by hand or by another tool',
      },
    );
  }
}
