import type { PreferencePair } from '../contracts/records';

/**
 * A {@link PreferencePair} from token ids, for tests: texts empty, `extra` fields (gold scores, `logWeight`, sampler
 * log-probs, `tie`) merged in.
 * @example makePair('a', [5, 6], [7, 1], [8, 1], { goldChosen: 1, goldRejected: 0 })
 */
export function makePair(
  id: string,
  promptIds: number[],
  chosenIds: number[],
  rejectedIds: number[],
  extra: Partial<PreferencePair> = {},
): PreferencePair {
  return { id, prompt: '', chosen: '', rejected: '', promptIds, chosenIds, rejectedIds, ...extra };
}
