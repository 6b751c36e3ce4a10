import type { PreferencePair } from '@ocrm/core';
import { downloadDatasetFile } from '../hub/download-model';
import type { HubOptions } from '../hub/hub-options';
import type { PreferenceRecordStats } from './preference-records';
import { type ReadPreferenceDatasetOptions, readPreferenceDataset } from './read-preference-dataset';

/** Where a preference dataset is: a local file, or a file of a Hugging Face dataset repo. */
export interface PreferenceDatasetSource {
  /** Local path (relative to the working directory), or the file's path inside `repo`. */
  path: string;
  /** A dataset repo on the Hub (`owner/name`): `path` is then downloaded from it (Python cache layout). */
  repo?: string;
  /** Branch, tag or commit of `repo` (default `main`; Parquet conversions live on `refs/convert/parquet`). */
  revision?: string;
}

/**
 * A preference dataset from a local file or a Hub dataset repo (downloaded into the Hugging Face cache with the bounded
 * network of `downloadDatasetFile`: timeouts, retries, `HF_HUB_OFFLINE`), read into pairs by
 * {@link readPreferenceDataset}. Resolves to the pairs, their stats and the local file read.
 */
export async function loadPreferenceDataset(
  source: PreferenceDatasetSource,
  options: ReadPreferenceDatasetOptions & { hub?: HubOptions },
): Promise<{ pairs: PreferencePair[]; stats: PreferenceRecordStats; file: string }> {
  const { hub, ...read } = options;
  const file = source.repo
    ? await downloadDatasetFile(source.repo, source.path, {
        ...hub,
        revision: source.revision ?? hub?.revision,
      })
    : source.path;
  return { ...(await readPreferenceDataset(file, read)), file };
}
