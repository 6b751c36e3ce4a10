import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type RunDirectory, readJson, writeJsonAtomic } from '@ocrm/core';
import type { SequenceLogProbs } from '@ocrm/weighting';
import { FINGERPRINT_FILE } from './fingerprint-file';
import { runPaths } from './paths';

/**
 * The labelled pairs' summed log-probs under π_SFT at `temperature` — the OCRM weights' denominator, the same in every
 * round — computed by `compute` once and kept in `<runDir>/cache/` under a name hashing the `labels` stage's
 * fingerprint (which covers SFT) and the temperature, so later rounds read them instead of a forward pass over
 * every pair. The cached sums are the computed ones to the bit (JSON round-trips doubles). Without a `labels`
 * fingerprint (run folders older than fingerprints) it computes every time.
 */
export async function cachedSftLogProbs(
  run: RunDirectory,
  pairCount: number,
  temperature: number,
  compute: () => Promise<SequenceLogProbs>,
): Promise<SequenceLogProbs> {
  let labelsHash: string | undefined;
  try {
    labelsHash = (await readJson<{ hash?: string }>(join(run.stagePath('labels'), FINGERPRINT_FILE))).hash;
  } catch {
    labelsHash = undefined;
  }
  if (!labelsHash) return compute();
  const key = createHash('sha256').update(`${labelsHash}:T=${temperature}`).digest('hex').slice(0, 16);
  const file = runPaths(run).cache(`sft-log-probs-${key}.json`);
  try {
    const cached = await readJson<{ chosen: number[]; rejected: number[] }>(file);
    if (cached.chosen.length === pairCount && cached.rejected.length === pairCount) {
      return { chosen: Float64Array.from(cached.chosen), rejected: Float64Array.from(cached.rejected) };
    }
  } catch {
    // Not cached yet (or unreadable): compute.
  }
  const sums = await compute();
  await writeJsonAtomic(file, { chosen: Array.from(sums.chosen), rejected: Array.from(sums.rejected) });
  return sums;
}
