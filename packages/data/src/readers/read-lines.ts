import { DataError } from '@ocrm/core';
import { ioError, openTextStream } from './text-stream';

/**
 * Longest line a dataset reader accepts, in bytes: 16 MiB. A longer line (a minified dump, a binary file) fails with
 * its file and line instead of exhausting memory.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Options of {@link iterateLines}. */
export interface IterateLinesOptions {
  /** Cap on one line's bytes (default {@link MAX_LINE_BYTES}). */
  maxLineBytes?: number;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * The lines of a text file (`.gz` gunzipped), split on `\n` at the byte level (a trailing `\r` is dropped), each
 * decoded as strict UTF-8 — invalid bytes are an error naming the file and line, never a silent U+FFFD — with their
 * 1-based file line numbers. Memory is bounded by one line (`maxLineBytes`).
 * @throws DataError (file, line) on invalid UTF-8 or an over-long line; NotFoundError / IoError when unreadable.
 */
export async function* iterateLines(
  path: string,
  options: IterateLinesOptions = {},
): AsyncGenerator<{ text: string; line: number }> {
  const cap = options.maxLineBytes ?? MAX_LINE_BYTES;
  const stream = openTextStream(path);
  let line = 1;
  let parts: Buffer[] = [];
  let size = 0;
  const emit = (bytes: Buffer) => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    try {
      return strict.decode(bytes.subarray(0, end));
    } catch (error) {
      throw new DataError('invalid UTF-8 (save the file as UTF-8)', { file: path, line }, { cause: error });
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
        size += piece.length;
        if (size > cap) {
          throw new DataError(`line longer than ${cap} bytes (the reader's cap)`, { file: path, line });
        }
        parts.push(piece);
        if (nl === -1) break;
        const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
        yield { text: emit(bytes), line };
        line++;
        parts = [];
        size = 0;
        start = nl + 1;
      }
    }
    if (size > 0) yield { text: emit(Buffer.concat(parts)), line };
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw ioError(path, error);
  } finally {
    stream.destroy();
  }
}
