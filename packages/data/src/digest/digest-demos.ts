import type { Prng } from '../internal/prng';
import type { DigestDemoConfig, DigestTaskConfig } from './digest-config';
import type { DigestWorld } from './digest-world';

/**
 * One SFT demonstration ("good but imperfect digest") of a document, as word indices (the prototype's recipe plus
 * rare flaws): the document's k most salient distinct words (k ~ `lengthProbs`), each swapped with p `swapProb` for
 * another document word; then, each with its own small probability, a random off-document word, a globally salient
 * off-document word (the exploit pattern), a repeated word, or extra words past the free length; order shuffled with
 * p `shuffleProb`; at most `maxResponseWords` words.
 */
export function generateDemo(
  world: DigestWorld,
  config: DigestTaskConfig,
  doc: readonly number[],
  rng: Prng,
): number[] {
  const demo = config.demo;
  const distinct = [...new Set(doc)].sort(
    (a, b) => (world.salience[b] as number) - (world.salience[a] as number),
  );
  const k = Math.min(distinct.length, 2 + rng.categorical(demo.lengthProbs));
  let words = distinct.slice(0, k).map((w) => (rng.uniform() < demo.swapProb ? pick(distinct, rng) : w));
  words = [...new Set(words)];
  const inDoc = new Set(doc);
  if (rng.uniform() < demo.offDocProb) {
    const outside = world.words.map((_, i) => i).filter((i) => !inDoc.has(i));
    if (outside.length > 0) words[rng.int(words.length)] = pick(outside, rng);
  }
  if (rng.uniform() < demo.salientOffDocProb) {
    const salient = world.salientPool.filter((i) => !inDoc.has(i) && !words.includes(i));
    if (salient.length > 0) words.splice(rng.int(words.length + 1), 0, pick(salient, rng));
  }
  if (rng.uniform() < demo.repeatProb && words.length > 0) {
    words.splice(rng.int(words.length + 1), 0, pick(words, rng));
  }
  if (rng.uniform() < demo.longProb) {
    const target = config.judge.freeLength + 1 + rng.int(2);
    const unused = distinct.filter((w) => !words.includes(w));
    while (words.length < target)
      words.push(unused.length > 0 ? (unused.shift() as number) : pick(distinct, rng));
  }
  if (rng.uniform() < demo.shuffleProb) rng.shuffle(words);
  return words.slice(0, config.maxResponseWords);
}

/** Noise of {@link perturbDigest}, mimicking what temperature-1 sampling from an SFT model adds to demonstrations. */
export interface DigestNoiseConfig {
  /** Per word: replaced by a uniformly random vocabulary word. */
  wordNoise: number;
  /** Per response: one word repeated. */
  repeatProb: number;
  /** Per response: one random document word appended. */
  extraWordProb: number;
  /** Per response: no EOS (the response runs to the length limit). */
  noEosProb: number;
}

/** A moderate noise level (the "noisy SFT" column of the README's penalty-rate table). */
export const DEFAULT_DIGEST_NOISE: Readonly<DigestNoiseConfig> = Object.freeze({
  wordNoise: 0.01,
  repeatProb: 0.02,
  extraWordProb: 0.04,
  noEosProb: 0.02,
});

/** A noisy copy of a demonstration (word indices) and whether it ended with EOS. */
export function perturbDigest(
  world: DigestWorld,
  config: DigestTaskConfig,
  doc: readonly number[],
  words: readonly number[],
  noise: DigestNoiseConfig,
  rng: Prng,
): { words: number[]; ended: boolean } {
  const out = words.map((w) => (rng.uniform() < noise.wordNoise ? rng.int(world.words.length) : w));
  if (rng.uniform() < noise.repeatProb && out.length > 0)
    out.splice(rng.int(out.length + 1), 0, pick(out, rng));
  if (rng.uniform() < noise.extraWordProb) out.push(pick(doc, rng));
  const ended = rng.uniform() >= noise.noEosProb;
  if (!ended) while (out.length < config.maxResponseWords) out.push(pick(doc, rng));
  return { words: out.slice(0, config.maxResponseWords), ended };
}

function pick<T>(items: readonly T[], rng: Prng): T {
  return items[rng.int(items.length)] as T;
}

/** Re-exported for documentation of the demo options. */
export type { DigestDemoConfig };
