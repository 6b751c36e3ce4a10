import { readFile } from 'node:fs/promises';
import { ConfigError, NotFoundError } from '@ocrm/core';
import { isMap, LineCounter, parseDocument } from 'yaml';

/** A configuration file read from disk, with a way to find the line of any field. */
export interface LoadedConfigFile {
  path: string;
  /** The parsed object. */
  value: Record<string, unknown>;
  /** 1-based line of the field at `path` (or of its closest existing parent), if known. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Reads a YAML or JSON configuration file (JSON is parsed as YAML 1.2, so both give line numbers).
 * Throws `NotFoundError` when the file is missing and `ConfigError` (with the line) when it does not parse.
 */
export async function loadConfigFile(path: string): Promise<LoadedConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new NotFoundError(`Config file ${path} cannot be read.`, {
      cause,
      hint: 'Check the --config path.',
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ConfigError('(file)', `${path}:${line}: ${first.message.split('\n')[0]}`);
  }
  const value = doc.toJS() as unknown;
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new ConfigError('(file)', `${path}: the top level must be a mapping of sections (sft, ppo, ...).`);
  }
  return {
    path,
    value: (value ?? {}) as Record<string, unknown>,
    lineOf(fieldPath) {
      for (let n = fieldPath.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, n), true);
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        if (range && (n > 0 || isMap(node))) return lineCounter.linePos(range[0]).line;
      }
      return undefined;
    },
  };
}
