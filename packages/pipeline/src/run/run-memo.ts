import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type RunDirectory, type RunMemo, readJson, writeJsonAtomic } from '@ocrm/core';
import { FINGERPRINT_FILE } from './fingerprint-file';
import { runPaths } from './paths';

/**
 * The run's {@link RunMemo}: values kept in `<runDir>/cache/<name>-<hash>.json`, the hash over the `labels` stage's
 * fingerprint (which covers SFT and the pairs) and `key` — so the OCRM weights' π_SFT sums, the same every round, are
 * computed once. Doubles round-trip through JSON to the bit. Without a `labels` fingerprint (run folders older than
 * fingerprints) it computes every time.
 */
export function runMemo(run: RunDirectory): RunMemo {
  return async <T>(name: string, key: string, compute: () => Promise<T>): Promise<T> => {
    let labelsHash: string | undefined;
    try {
      labelsHash = (await readJson<{ hash?: string }>(join(run.stagePath('labels'), FINGERPRINT_FILE))).hash;
    } catch {
      labelsHash = undefined;
    }
    if (!labelsHash) return compute();
    const hash = createHash('sha256').update(`${labelsHash}:${key}`).digest('hex').slice(0, 16);
    const file = runPaths(run).cache(`${name}-${hash}.json`);
    try {
      return await readJson<T>(file);
    } catch {
      // Not cached yet (or unreadable): compute.
    }
    const value = await compute();
    await writeJsonAtomic(file, value);
    return value;
  };
}
