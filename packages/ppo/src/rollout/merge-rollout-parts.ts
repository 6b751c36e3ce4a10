import { concatBatches, type RowRange, type SampleResult, ShapeError } from '@ocrm/core';
import type { RolloutForwards } from './forward-passes';
import type { RolloutPart } from './rollout-part';

type Typed = Float32Array | Float64Array | Uint8Array;

function concat<T extends Typed>(arrays: T[], make: (n: number) => T): T {
  const out = make(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/**
 * Stacks the parts of one rollout, in row order, into the whole batch's sample and forwards (a single part is
 * returned as it is).
 * @param rows the range each part was asked for, in order and contiguous from row 0.
 * @throws ShapeError when a part holds another number of rows than asked (e.g. a policy whose `sample` ignores
 *   `rows`).
 * @internal
 */
export function mergeRolloutParts(
  parts: readonly RolloutPart[],
  rows: readonly RowRange[],
): { sample: SampleResult; forwards: RolloutForwards } {
  parts.forEach((part, i) => {
    const want = rows[i]!.end - rows[i]!.start;
    if (part.sample.batch.batchSize !== want || part.forwards.scores.length !== want) {
      throw new ShapeError(
        `PPO rollout: the part for rows [${rows[i]!.start}, ${rows[i]!.end}) holds ${part.sample.batch.batchSize} rows.`,
        { hint: "The policy's sample() must honour `rows` (core's policy contract checks it)." },
      );
    }
  });
  if (parts.length === 1) return { sample: parts[0]!.sample, forwards: parts[0]!.forwards };
  const f32 = (pick: (p: RolloutPart) => Float32Array) => concat(parts.map(pick), (n) => new Float32Array(n));
  return {
    sample: {
      batch: concatBatches(parts.map((p) => p.sample.batch)),
      logProbs: f32((p) => p.sample.logProbs),
      logProbSums: concat(
        parts.map((p) => p.sample.logProbSums),
        (n) => new Float64Array(n),
      ),
      hasEos: concat(
        parts.map((p) => p.sample.hasEos),
        (n) => new Uint8Array(n),
      ),
    },
    forwards: {
      logpOld: f32((p) => p.forwards.logpOld),
      entropy: f32((p) => p.forwards.entropy),
      logpRef: f32((p) => p.forwards.logpRef),
      values: f32((p) => p.forwards.values),
      scores: f32((p) => p.forwards.scores),
    },
  };
}
