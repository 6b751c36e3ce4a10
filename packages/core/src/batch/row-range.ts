import type { RowRange } from '../contracts/policy';
import { InvalidArgumentError } from '../errors';

/**
 * Checks `range` against a batch of `count` rows (absent: every row).
 * @param who names the caller in the error (e.g. `'sample'`).
 * @returns the range with `0 ≤ start < end ≤ count` (`{ start: 0, end: 0 }` for an empty batch without a range).
 * @throws InvalidArgumentError for non-integer, empty or out-of-range bounds.
 */
export function resolveRowRange(range: RowRange | undefined, count: number, who: string): RowRange {
  if (range === undefined) return { start: 0, end: count };
  const { start, end } = range;
  if (
    !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start < end && end <= count)
  ) {
    throw new InvalidArgumentError(
      `${who}: \`rows\` must be integers with 0 ≤ start < end ≤ ${count} (the prompts), got [${start}, ${end}).`,
    );
  }
  return { start, end };
}
