import type { PreferencePair } from '../contracts/records';
import type { TokenBatch } from '../contracts/token-batch';
import { InvalidArgumentError } from '../errors';
import { buildTokenBatch } from './build-token-batch';

/**
 * The ids up to and including the first `eosId` (a copy of all of them when there is none).
 * @example throughFirstEos([3, 1, 4, 1], 1) // [3, 1]
 */
export function throughFirstEos(ids: readonly number[], eosId: number): number[] {
  const at = ids.indexOf(eosId);
  return at < 0 ? ids.slice() : ids.slice(0, at + 1);
}

/** Options of {@link pairTokenBatch}. */
export interface PairTokenBatchOptions {
  /** Id written at padded positions. */
  padId: number;
  /** When given, every response is cut after its first `eosId` ({@link throughFirstEos}); otherwise kept whole. */
  eosId?: number;
}

/**
 * Packs `m` preference pairs into one host {@link TokenBatch} of `2m` rows so one forward serves both sides.
 *
 * Row order: rows `[0, m)` are prompt + chosen response of pairs `0..m-1`, rows `[m, 2m)` prompt + rejected response
 * of the same pairs (row `i` and row `m + i` belong to pair `i`). Prompts are LEFT-padded, responses RIGHT-padded to
 * the longest in this batch ({@link buildTokenBatch}).
 *
 * @returns a new batch `[2m, P + T_resp]` owned by the caller.
 * @throws InvalidArgumentError without pairs, or when a response is empty (after the EOS cut).
 * @example
 * pairTokenBatch([{ ...pair, promptIds: [5], chosenIds: [7, 1], rejectedIds: [8] }], { padId: 0 });
 * // ids = [5, 7, 1,   5, 8, 0]
 */
export function pairTokenBatch(pairs: readonly PreferencePair[], options: PairTokenBatchOptions): TokenBatch {
  if (pairs.length === 0) throw new InvalidArgumentError('pairTokenBatch: give at least one pair.');
  const { eosId, padId } = options;
  const cut = (ids: number[]) => (eosId === undefined ? ids : throughFirstEos(ids, eosId));
  const chosen = pairs.map((p) => cut(p.chosenIds));
  const rejected = pairs.map((p) => cut(p.rejectedIds));
  for (const [i, p] of pairs.entries()) {
    if (chosen[i]!.length === 0 || rejected[i]!.length === 0) {
      throw new InvalidArgumentError(
        `pair \`${p.id}\` has an empty response; every response needs ≥ 1 token.`,
      );
    }
  }
  const prompts = pairs.map((p) => p.promptIds);
  return buildTokenBatch({ prompts: [...prompts, ...prompts], responses: [...chosen, ...rejected], padId });
}
