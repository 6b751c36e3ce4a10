import { Prng } from '../internal/prng';
import type { DigestTask } from './create-digest-task';
import { type DigestNoiseConfig, generateDemo, perturbDigest } from './digest-demos';
import { scoreDigest } from './digest-judge';
import { digestWords, sampleDocument } from './digest-world';

/** How often each gold penalty fires on a set of responses, and their mean gold score. */
export interface DigestPenaltyRates {
  n: number;
  /** Fraction of responses with ≥ 1 repeated word. */
  repeat: number;
  /** Fraction longer than `freeLength`. */
  excessLength: number;
  /** Fraction with ≥ 1 off-document word. */
  offDoc: number;
  /** Fraction with ≥ 1 globally salient off-document word (the exploit pattern). */
  salientOffDoc: number;
  /** Fraction without EOS. */
  noEos: number;
  /** Fraction with any penalty. */
  anyPenalty: number;
  meanGold: number;
  meanWords: number;
  /** Fraction of consecutive response pairs (same prompt, two samples) whose gold scores tie exactly. */
  pairTieRate: number;
}

/**
 * Measures penalty rates on responses from the demonstration generator (`noise` undefined) or on a noisy
 * perturbation of it (a stand-in for temperature-1 samples of an SFT model), two responses per document.
 */
export function measureDigestPenaltyRates(
  task: DigestTask,
  options: { n?: number; seed?: number; noise?: DigestNoiseConfig } = {},
): DigestPenaltyRates {
  const { n = 4000, seed = 12345, noise } = options;
  const rng = new Prng(seed, 0);
  const responses: { prompt: string[]; words: string[]; ended: boolean }[] = [];
  for (let i = 0; i < n / 2; i++) {
    const doc = sampleDocument(task.world, task.config, rng);
    for (let j = 0; j < 2; j++) {
      let words = generateDemo(task.world, task.config, doc, rng);
      let ended = true;
      if (noise) ({ words, ended } = perturbDigest(task.world, task.config, doc, words, noise, rng));
      responses.push({
        prompt: doc.map((w) => task.world.words[w] as string),
        words: words.map((w) => task.world.words[w] as string),
        ended,
      });
    }
  }
  return penaltyRates(task, responses);
}

/** Penalty rates of given responses (word lists). */
export function penaltyRates(
  task: DigestTask,
  responses: readonly { prompt: readonly string[]; words: readonly string[]; ended: boolean }[],
): DigestPenaltyRates {
  const salient = new Set(task.world.salientPool.map((i) => task.world.words[i]));
  const count = { repeat: 0, excessLength: 0, offDoc: 0, salientOffDoc: 0, noEos: 0, any: 0, ties: 0 };
  let gold = 0;
  let words = 0;
  let previous = Number.NaN;
  responses.forEach((r, i) => {
    const s = scoreDigest(task.world, task.config.judge, r.prompt, r.words, r.ended);
    const inDoc = new Set(r.prompt);
    const flags = [s.repeats > 0, s.excessLength > 0, s.offDoc > 0, s.noEos];
    count.repeat += +flags[0]!;
    count.excessLength += +flags[1]!;
    count.offDoc += +flags[2]!;
    count.noEos += +flags[3]!;
    count.any += +flags.some(Boolean);
    count.salientOffDoc += +r.words.some((w) => salient.has(w) && !inDoc.has(w));
    if (i % 2 === 1 && s.gold === previous) count.ties++;
    previous = s.gold;
    gold += s.gold;
    words += r.words.length;
  });
  const n = responses.length;
  return {
    n,
    repeat: count.repeat / n,
    excessLength: count.excessLength / n,
    offDoc: count.offDoc / n,
    salientOffDoc: count.salientOffDoc / n,
    noEos: count.noEos / n,
    anyPenalty: count.any / n,
    meanGold: gold / n,
    meanWords: words / n,
    pairTieRate: count.ties / Math.floor(n / 2),
  };
}

/** Words of texts, for {@link penaltyRates} on decoded samples. */
export function digestResponse(prompt: string, response: string, ended: boolean) {
  return { prompt: digestWords(prompt), words: digestWords(response, true), ended };
}
