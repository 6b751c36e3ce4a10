import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, NotFoundError } from '@ocrm/core';
import { readTextFile } from '../internal/files';
import { HfTokenizer, type HfTokenizerOptions } from './hf-tokenizer';

/** Where {@link loadTokenizer} reads from. */
export type TokenizerSource =
  /** A `tokenizer.json` or `tokenizer.json.gz` file, or a folder holding one (and optionally `tokenizer_config.json`). */
  | string
  /** A parsed `tokenizer.json`. */
  | Record<string, unknown>;

/** Options of {@link loadTokenizer}. */
export interface LoadTokenizerOptions extends HfTokenizerOptions {
  /** A parsed `tokenizer_config.json` or a path to one (overrides the one found beside the file). */
  config?: string | Record<string, unknown>;
}

/**
 * Loads a Hugging Face tokenizer as the core `Tokenizer` contract.
 *
 * @example
 * const tok = await loadTokenizer('models/pythia-160m'); // folder with tokenizer.json (+ tokenizer_config.json)
 * tok.encode('Hello'); // [12092]
 * @throws NotFoundError when no tokenizer.json exists there; DataError when it is not valid JSON.
 */
export async function loadTokenizer(
  source: TokenizerSource,
  options: LoadTokenizerOptions = {},
): Promise<HfTokenizer> {
  let json: Record<string, unknown>;
  let config: Record<string, unknown> = {};
  if (typeof source === 'string') {
    let file = source;
    let dir: string | undefined;
    if ((await stat(source).catch(() => undefined))?.isDirectory()) {
      dir = source;
      file = await firstExisting([join(source, 'tokenizer.json'), join(source, 'tokenizer.json.gz')], source);
    } else {
      dir = undefined;
    }
    json = await readJsonFile(file);
    if (dir && options.config === undefined) {
      const configFile = join(dir, 'tokenizer_config.json');
      if (await stat(configFile).catch(() => undefined)) config = await readJsonFile(configFile);
    }
  } else {
    json = source;
  }
  if (typeof options.config === 'string') config = await readJsonFile(options.config);
  else if (options.config) config = options.config;
  return new HfTokenizer(json, config, options);
}

async function firstExisting(paths: string[], where: string): Promise<string> {
  for (const path of paths) if (await stat(path).catch(() => undefined)) return path;
  throw new NotFoundError(`No tokenizer.json (or tokenizer.json.gz) in ${where}`);
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  const text = await readTextFile(path);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new DataError(`not valid JSON: ${(error as Error).message}`, { file: path }, { cause: error });
  }
}
