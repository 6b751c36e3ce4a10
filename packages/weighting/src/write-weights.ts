import {
  DataError,
  InvalidArgumentError,
  type PreferencePair,
  readJsonlAll,
  type WeightDiagnostics,
  writeJsonAtomic,
  writeJsonl,
} from '@ocrm/core';

/** One line of a weights file: the pair's id and its log-weight (weight = `exp(logWeight)`). */
export interface WeightRecord {
  id: string;
  logWeight: number;
}

/**
 * Writes one `{ id, logWeight }` line per pair, in the pairs' order, as JSONL (atomic).
 * @throws InvalidArgumentError when the counts differ or a log-weight is not finite.
 */
export async function writeWeightsJsonl(
  path: string,
  pairs: readonly Pick<PreferencePair, 'id'>[],
  logWeights: ArrayLike<number>,
): Promise<void> {
  if (pairs.length !== logWeights.length) {
    throw new InvalidArgumentError(`${pairs.length} pairs but ${logWeights.length} log-weights`);
  }
  const records: WeightRecord[] = pairs.map((pair, i) => {
    const logWeight = logWeights[i]!;
    if (!Number.isFinite(logWeight)) {
      throw new InvalidArgumentError(`pair ${pair.id}: log-weight ${logWeight} is not finite`);
    }
    return { id: pair.id, logWeight };
  });
  await writeJsonl(path, records);
}

/** Writes weight diagnostics as pretty JSON (atomic), e.g. `weights-2/diagnostics.json` beside the weights. */
export async function writeWeightDiagnostics(path: string, diagnostics: WeightDiagnostics): Promise<void> {
  await writeJsonAtomic(path, diagnostics);
}

/** Reads a weights file written by {@link writeWeightsJsonl}; throws `DataError` naming the line on a bad record. */
export async function readWeightsJsonl(path: string): Promise<WeightRecord[]> {
  return readJsonlAll<WeightRecord>(path, {
    validate: (record) => {
      const r = record as Partial<WeightRecord>;
      if (typeof r?.id !== 'string') throw new DataError('missing string `id`', { field: 'id' });
      if (typeof r.logWeight !== 'number' || !Number.isFinite(r.logWeight)) {
        throw new DataError('`logWeight` must be a finite number', { field: 'logWeight' });
      }
      return undefined;
    },
  });
}

/**
 * Returns copies of `pairs` with `logWeight` set from `logWeights` (same order), ready for reward-model training.
 * @throws InvalidArgumentError when the counts differ.
 */
export function applyLogWeights(
  pairs: readonly PreferencePair[],
  logWeights: ArrayLike<number>,
): PreferencePair[] {
  if (pairs.length !== logWeights.length) {
    throw new InvalidArgumentError(`${pairs.length} pairs but ${logWeights.length} log-weights`);
  }
  return pairs.map((pair, i) => ({ ...pair, logWeight: logWeights[i]! }));
}
