import type { StageShard } from '../contracts/pair-sampler';
import { InvalidArgumentError } from '../errors';

/**
 * The work units `[first, last)` of shard `index` of `count` among `units`: contiguous, sizes differing by at most
 * one, every unit in exactly one shard, in order; all of them without a shard. Data-parallel stages cut their work
 * (sampling calls, pairs, evaluated policies) with it.
 * @throws InvalidArgumentError for a shard outside `0 ≤ index < count` (both whole numbers).
 * @example shardRange(6, { index: 3, count: 4 }) // [4, 6]
 */
export function shardRange(units: number, shard?: StageShard): [number, number] {
  if (!shard) return [0, units];
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new InvalidArgumentError(
      `shard ${index}/${count}: expected 0 ≤ index < count, both whole numbers.`,
    );
  }
  return [Math.floor((index * units) / count), Math.floor(((index + 1) * units) / count)];
}
