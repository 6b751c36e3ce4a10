import { DataError, type PreferencePair, readJsonlAll } from '@ocrm/core';
import { z } from 'zod';

const tokenIds = z.array(z.int().min(0));
const finite = z.number().refine(Number.isFinite, 'expected a finite number');

/** The schema of a `PreferencePair` line in the run directory's `pairs/` and `labels/` files (what the stages write). */
export const preferencePairRecord = z.object({
  id: z.string().min(1),
  prompt: z.string(),
  chosen: z.string(),
  rejected: z.string(),
  promptIds: tokenIds,
  chosenIds: tokenIds.min(1),
  rejectedIds: tokenIds.min(1),
  goldChosen: finite.optional(),
  goldRejected: finite.optional(),
  tie: z.boolean().optional(),
  logpSamplerChosen: finite.optional(),
  logpSamplerRejected: finite.optional(),
  samplerTemperature: z.number().positive().optional(),
  logWeight: z.number().optional(),
});

/**
 * Reads a run directory's pairs file, every line checked against {@link preferencePairRecord}: a file edited or
 * written by another tool fails naming the file, the line and the field instead of training on bad ids.
 */
export function readPairs(path: string): Promise<PreferencePair[]> {
  return readJsonlAll<PreferencePair>(path, {
    validate: (record) => {
      const parsed = preferencePairRecord.safeParse(record);
      if (parsed.success) return undefined;
      const issue = parsed.error.issues[0]!;
      throw new DataError(issue.message, { field: issue.path.map(String).join('.') || undefined });
    },
  });
}
