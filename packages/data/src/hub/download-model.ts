import { dirname } from 'node:path';
import { DataError, NotFoundError, OcrmError } from '@ocrm/core';
import { readTextFile } from '../internal/files';
import { downloadHubFile, type HubRepo } from './download-hub-file';
import type { HubOptions } from './hub-options';

/** What {@link downloadModel} fetched. */
export interface DownloadedModel {
  /** The local snapshot folder (`…/models--owner--name/snapshots/<commit>`), loadable by `loadModel(dir)`. */
  dir: string;
  /** Repo-relative paths fetched, to their local paths. */
  files: Record<string, string>;
}

const OPTIONAL = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];

/** Options of {@link downloadModel}: the Hub's, and a check of the model's config before any weight. */
export interface DownloadModelOptions extends HubOptions {
  /**
   * Called with the parsed `config.json` before any weight file is requested (e.g. `parseHfConfig` of
   * `@ocrm/models`): an unsupported architecture fails in seconds instead of after a multi-GB download.
   */
  checkConfig?: (config: Record<string, unknown>) => void | Promise<void>;
}

/**
 * Downloads what a model run needs: `config.json`, `model.safetensors` (or `model.safetensors.index.json` and its
 * shards), and, when present, `tokenizer.json`, `tokenizer_config.json`, `generation_config.json`.
 *
 * @example
 * const { dir } = await downloadModel('EleutherAI/pythia-160m', hubOptionsFromEnv());
 * With `checkConfig` the config is checked first: its error stops the download before any weight.
 * @throws NotFoundError when config.json or the weights are missing (naming repo and file); OfflineMissError
 * offline when they are not cached; HubError on transfer failures after retries.
 */
export async function downloadModel(
  repo: string,
  options: DownloadModelOptions = {},
): Promise<DownloadedModel> {
  const hubRepo: HubRepo = { type: 'model', name: repo };
  const files: Record<string, string> = {};
  const get = async (path: string) => {
    files[path] = await downloadHubFile(hubRepo, path, options);
    return files[path] as string;
  };
  const config = await get('config.json');
  if (options.checkConfig) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(await readTextFile(config)) as Record<string, unknown>;
    } catch (cause) {
      throw new DataError(`model ${repo}: config.json is not JSON`, { file: config }, { cause });
    }
    await options.checkConfig(json);
  }
  try {
    await get('model.safetensors');
  } catch (error) {
    if (!isMissing(error)) throw error;
    const indexPath = await get('model.safetensors.index.json').catch((indexError) => {
      throw isMissing(indexError)
        ? new NotFoundError(
            `model ${repo}: neither model.safetensors nor model.safetensors.index.json exists`,
            {
              cause: indexError,
              hint: 'Only safetensors weights are supported (convert pytorch_model.bin with transformers first).',
            },
          )
        : indexError;
    });
    for (const shard of await shardNames(indexPath)) await get(shard);
  }
  for (const path of OPTIONAL) {
    try {
      await get(path);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return { dir: dirname(config), files };
}

/**
 * Downloads one file of a dataset repo (Parquet, JSONL, …) into the cache and returns its local path. Pin a
 * revision, e.g. `refs/convert/parquet` for the Hub's Parquet conversion.
 */
export function downloadDatasetFile(repo: string, path: string, options: HubOptions = {}): Promise<string> {
  return downloadHubFile({ type: 'dataset', name: repo }, path, options);
}

function isMissing(error: unknown): boolean {
  return OcrmError.isInstance(error) && (error.code === 'NOT_FOUND' || error.code === 'OFFLINE_MISS');
}

async function shardNames(indexPath: string): Promise<string[]> {
  let index: { weight_map?: Record<string, string> };
  try {
    index = JSON.parse(await readTextFile(indexPath));
  } catch (error) {
    throw new DataError(`not valid JSON: ${(error as Error).message}`, { file: indexPath }, { cause: error });
  }
  if (!index.weight_map || typeof index.weight_map !== 'object') {
    throw new DataError('missing weight_map', { file: indexPath, field: 'weight_map' });
  }
  return [...new Set(Object.values(index.weight_map))].sort();
}
