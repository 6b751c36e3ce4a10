import { type GoldJudge, InvalidArgumentError, type PreferencePair } from '@ocrm/core';
import { Prng } from '../internal/prng';

/** Options of {@link labelPairs}. */
export interface LabelPairsOptions {
  /** `'argmax'` (default): the higher gold score is chosen. `'bradley-terry'`: the first response is chosen with
   * probability `sigmoid((g1 - g2) / temperature)` (noisy raters). */
  mode?: 'argmax' | 'bradley-terry';
  /** Bradley-Terry temperature (> 0). Default 1. */
  temperature?: number;
  /** Seed of the Bradley-Terry draws. Default 0. */
  seed?: number;
  /** When given, a response whose ids do not end with it is passed to the judge as not ended (`ended = false`). */
  eosId?: number;
  /** Scores closer than this tie. Default 0 (exact equality). */
  tieTolerance?: number;
}

/** Summary of a labelling. */
export interface LabelStats {
  n: number;
  /** Pairs with tied gold scores (kept, labelled to the first response, `tie: true`). */
  ties: number;
  tieRate: number;
  /** Fraction of pairs whose second sample became `chosen`. */
  swapRate: number;
  meanGoldChosen: number;
  meanGoldRejected: number;
  /** Mean of `goldChosen - goldRejected`. */
  meanMargin: number;
  /** Among non-tied pairs, fraction where `chosen` has the higher gold score (1 for argmax). */
  agreement: number;
}

/**
 * The gold judge's scores of both responses of each pair, `[2·N]` as `[first₀, second₀, first₁, …]` (the judge sees
 * a response as not ended when its ids do not end with `eosId`, if given). The expensive half of
 * {@link labelPairs}; the labels stage computes it in shards for large judges and labels with
 * {@link labelPairsFromScores}.
 * @throws InvalidArgumentError when the judge returns another number of scores.
 */
export async function judgePairs(
  pairs: readonly PreferencePair[],
  judge: GoldJudge,
  eosId?: number,
): Promise<number[]> {
  const prompts = pairs.flatMap((p) => [p.prompt, p.prompt]);
  const responses = pairs.flatMap((p) => [p.chosen, p.rejected]);
  const ended =
    eosId === undefined
      ? undefined
      : pairs.flatMap((p) => [p.chosenIds.at(-1) === eosId, p.rejectedIds.at(-1) === eosId]);
  const scores = await judge.score(prompts, responses, ended);
  if (scores.length !== responses.length) {
    throw new InvalidArgumentError(
      `labelPairs: judge returned ${scores.length} scores for ${responses.length}`,
    );
  }
  return scores;
}

/**
 * Labels pairs with a gold judge:
 * stores `goldChosen`/`goldRejected` and orders each pair so that `chosen` is the
 * preferred response (ids and sampler log-probs move with their response). Ties keep the first response as
 * `chosen` and get `tie: true` (the reference does the same; accuracy figures should exclude them). Returns new
 * objects; the input is not modified. {@link judgePairs} then {@link labelPairsFromScores}.
 */
export async function labelPairs(
  pairs: readonly PreferencePair[],
  judge: GoldJudge,
  options: LabelPairsOptions = {},
): Promise<{ pairs: PreferencePair[]; stats: LabelStats }> {
  checkLabelOptions(options);
  return labelPairsFromScores(pairs, await judgePairs(pairs, judge, options.eosId), options);
}

function checkLabelOptions(options: LabelPairsOptions): void {
  const { mode = 'argmax', temperature = 1 } = options;
  if (mode !== 'argmax' && mode !== 'bradley-terry') {
    throw new InvalidArgumentError(`labelPairs: unknown mode ${JSON.stringify(mode)}`);
  }
  if (!(temperature > 0))
    throw new InvalidArgumentError(`labelPairs: temperature must be > 0, got ${temperature}`);
}

/**
 * {@link labelPairs} from scores computed before (`scores` as {@link judgePairs} returns them): the labelling itself,
 * whose Bradley-Terry draws come from one random stream over the pairs in order.
 * @throws InvalidArgumentError for bad options or a scores array of the wrong length.
 */
export function labelPairsFromScores(
  pairs: readonly PreferencePair[],
  scores: ArrayLike<number>,
  options: LabelPairsOptions = {},
): { pairs: PreferencePair[]; stats: LabelStats } {
  checkLabelOptions(options);
  const { mode = 'argmax', temperature = 1, seed = 0, tieTolerance = 0 } = options;
  if (scores.length !== 2 * pairs.length) {
    throw new InvalidArgumentError(
      `labelPairs: ${scores.length} scores for ${pairs.length} pairs (expected 2 each)`,
    );
  }
  const rng = new Prng(seed, 7);
  let ties = 0;
  let swaps = 0;
  let agree = 0;
  let sumChosen = 0;
  let sumRejected = 0;
  const out = pairs.map((pair, i) => {
    const first = scores[2 * i] as number;
    const second = scores[2 * i + 1] as number;
    const tie = Math.abs(first - second) <= tieTolerance;
    let swap = false;
    if (!tie) {
      swap =
        mode === 'argmax'
          ? second > first
          : rng.uniform() >= 1 / (1 + Math.exp(-(first - second) / temperature));
    }
    ties += +tie;
    swaps += +swap;
    if (!tie) agree += +(swap ? second > first : first > second);
    const labelled: PreferencePair = swap
      ? {
          ...pair,
          chosen: pair.rejected,
          rejected: pair.chosen,
          chosenIds: pair.rejectedIds,
          rejectedIds: pair.chosenIds,
          logpSamplerChosen: pair.logpSamplerRejected,
          logpSamplerRejected: pair.logpSamplerChosen,
          goldChosen: second,
          goldRejected: first,
        }
      : { ...pair, goldChosen: first, goldRejected: second };
    if (tie) labelled.tie = true;
    else delete labelled.tie;
    sumChosen += labelled.goldChosen as number;
    sumRejected += labelled.goldRejected as number;
    return labelled;
  });
  const n = pairs.length;
  const safe = (x: number, d: number) => (d > 0 ? x / d : 0);
  return {
    pairs: out,
    stats: {
      n,
      ties,
      tieRate: safe(ties, n),
      swapRate: safe(swaps, n),
      meanGoldChosen: safe(sumChosen, n),
      meanGoldRejected: safe(sumRejected, n),
      meanMargin: safe(sumChosen - sumRejected, n),
      agreement: safe(agree, n - ties),
    },
  };
}
