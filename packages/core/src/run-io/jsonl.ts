import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { DataError, IoError, NotFoundError, OcrmError } from '../errors';
import { writeFileAtomic } from './atomic';

/** Options of {@link readJsonl} and {@link readJsonlAll}. */
export interface ReadJsonlOptions<T> {
  /**
   * Checks (and optionally converts) each parsed record; `line` is 1-based. Throw `new DataError(message, { field })`
   * to reject a record: the reader re-throws it with the file and line filled in. Any other error is wrapped the same
   * way. Return a value to replace the record (e.g. a zod `parse` result); return `undefined` to keep it.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a validator that only checks returns nothing (void).
  validate?: (record: unknown, line: number) => T | undefined | void;
  /**
   * Ignore a last line that has no trailing newline and is not valid JSON (what a process killed mid-append leaves).
   * Default false: such a line is a DataError.
   */
  allowPartialLastLine?: boolean;
}

function serialize(record: unknown, index: number): string {
  const line = JSON.stringify(record);
  if (line === undefined) {
    throw new DataError(`record ${index} cannot be serialised to JSON`, {});
  }
  return line;
}

/**
 * Writes records as JSONL (one compact JSON object a line, `\n`-terminated), atomically: readers see the old file
 * or the complete new one.
 */
export async function writeJsonl(path: string, records: Iterable<unknown>): Promise<void> {
  const lines: string[] = [];
  let i = 0;
  for (const record of records) lines.push(serialize(record, i++));
  await writeFileAtomic(path, lines.length ? `${lines.join('\n')}\n` : '');
}

/**
 * Appends one record as a JSONL line (creates the file and its folder if needed). If a previous append was cut off
 * (the file does not end in a newline), a newline is written first, so the new record stays readable.
 */
export async function appendJsonl(path: string, record: unknown): Promise<void> {
  const line = serialize(record, 0);
  try {
    await mkdir(dirname(path), { recursive: true });
    const prefix = (await endsWithoutNewline(path)) ? '\n' : '';
    await appendFile(path, `${prefix}${line}\n`);
  } catch (error) {
    if (OcrmError.isInstance(error)) throw error;
    throw new IoError(`Could not append to ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function endsWithoutNewline(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, size - 1);
    return byte[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * Streams the records of a JSONL file, one parsed object a line (blank lines are skipped). Memory stays flat for
 * big files.
 *
 * @throws NotFoundError when the file does not exist; DataError naming file, line (1-based) and, when the validator
 *   gives one, the field.
 */
export async function* readJsonl<T = unknown>(
  path: string,
  options: ReadJsonlOptions<T> = {},
): AsyncGenerator<T, void, undefined> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    stream.destroy();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`File not found: ${path}`, { cause: error });
    }
    throw new IoError(`Could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const endsWithNewline = options.allowPartialLastLine ? !(await endsWithoutNewline(path)) : true;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let pending: { text: string; line: number } | undefined;
  try {
    for await (const text of lines) {
      lineNumber++;
      if (pending) yield parseLine(path, pending.text, pending.line, options);
      pending = text.trim() === '' ? undefined : { text, line: lineNumber };
    }
    if (pending) {
      const isPartial = !endsWithNewline;
      try {
        yield parseLine(path, pending.text, pending.line, options);
      } catch (error) {
        if (!(isPartial && (error as { parseFailure?: boolean }).parseFailure)) throw error;
      }
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

function parseLine<T>(path: string, text: string, line: number, options: ReadJsonlOptions<T>): T {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    const err = new DataError(
      `invalid JSON (${(error as Error).message}): ${preview}`,
      { file: path, line },
      { cause: error, hint: 'each line must hold one complete JSON object' },
    );
    Object.defineProperty(err, 'parseFailure', { value: true });
    throw err;
  }
  if (!options.validate) return record as T;
  try {
    const replaced = options.validate(record, line);
    return (replaced === undefined ? record : replaced) as T;
  } catch (error) {
    const cause = error as { message?: string; field?: string; hint?: string; file?: string; line?: number };
    if (OcrmError.isInstance(error) && cause.file !== undefined && cause.line !== undefined) throw error;
    const message = OcrmError.isInstance(error)
      ? stripLocation(cause.message ?? '', cause.field)
      : (cause.message ?? String(error));
    throw new DataError(
      message,
      { file: path, line, field: cause.field },
      { cause: error, hint: cause.hint },
    );
  }
}

/** Removes the "field `x`: " prefix a DataError built without file/line put in its message. */
function stripLocation(message: string, field: string | undefined): string {
  const firstLine = message.split('\n  → ')[0] ?? message;
  const prefix = field !== undefined ? `field \`${field}\`: ` : '';
  return prefix && firstLine.startsWith(prefix) ? firstLine.slice(prefix.length) : firstLine;
}

/** Reads every record of a JSONL file into an array (see {@link readJsonl} for errors and options). */
export async function readJsonlAll<T = unknown>(
  path: string,
  options: ReadJsonlOptions<T> = {},
): Promise<T[]> {
  const out: T[] = [];
  for await (const record of readJsonl(path, options)) out.push(record);
  return out;
}

/**
 * Keeps the records of a JSONL file that `keep` accepts and drops the rest, plus a last line cut off by a killed
 * write; rewrites the file atomically only when something is dropped. For logs a resumed stage appends to again.
 * @returns the number of lines dropped (0 when the file does not exist).
 * @throws DataError naming file and line when a line other than the last is not JSON.
 */
export async function filterJsonl(
  path: string,
  keep: (record: Record<string, unknown>) => boolean,
  hint = 'the file is damaged in the middle; move it aside to resume.',
): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 0;
  }
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last > 0 && (lines[last] ?? '').trim() === '') last--;
  const kept: string[] = [];
  let dropped = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      if (i === last) {
        dropped++; // the partial last line of a killed write
        return;
      }
      throw new DataError(
        `not a JSON record (${(error as Error).message}).`,
        { file: path, line: i + 1 },
        { hint },
      );
    }
    if (keep(record)) kept.push(line);
    else dropped++;
  });
  if (dropped > 0) await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
  return dropped;
}
