import { type StageShard, shardRange } from '@ocrm/core';

/**
 * The evaluated targets `[first, last)` of shard `index` of `count` among `targets`: contiguous, sizes differing by
 * at most one, every target in exactly one shard, in order — the *first* shards taking the extra targets (core's
 * `shardRange` gives them to the last). A shard that starts after target 0 redoes the previous target's on-policy
 * pairs, and in a local run (`ocrm run --shards n`) shard 0 runs in the launching process while the others first
 * start a process: the later shards carry that extra work, so the earlier ones take more targets. With 3 targets
 * in 2 shards: SFT and π_1, then π_2 (not SFT, then π_1 and π_2).
 * @throws InvalidArgumentError for a shard outside `0 ≤ index < count` (both whole numbers).
 * @example targetShardRange(3, { index: 0, count: 2 }) // [0, 2]
 */
export function targetShardRange(targets: number, shard?: StageShard): [number, number] {
  if (!shard) return [0, targets];
  // core's shardRange checks the shard (the same InvalidArgumentError); only the split differs.
  shardRange(targets, shard);
  const { index, count } = shard;
  const base = Math.floor(targets / count);
  const extra = targets % count;
  const first = index * base + Math.min(index, extra);
  return [first, first + base + (index < extra ? 1 : 0)];
}
