import { readFileSync } from 'node:fs';
import { assetPath } from '../assets';
import { Prng } from '../internal/prng';
import type { DigestTaskConfig } from './digest-config';

/** The special tokens of the digest vocabulary, ids 0..4 in this order. */
export const DIGEST_SPECIAL_TOKENS = ['[PAD]', '[BOS]', '[SEP]', '[EOS]', '[UNK]'] as const;

/**
 * The hidden facts of a digest task: its words, each word's salience and each topic's word distribution.
 * Deterministic for `(seed, vocabWords, numTopics, zipfExponent, salientPoolSize)`.
 */
export interface DigestWorld {
  /** The vocabulary words (without specials), in asset order. */
  readonly words: readonly string[];
  /** Word → index into `words`. */
  readonly wordIndex: ReadonlyMap<string, number>;
  /** `sal(w) = U(0,1)^2` per word (hidden from the models). */
  readonly salience: Float64Array;
  /** Per topic, unnormalised Zipf weights over the words (`1 / rank^s`, a random rank permutation per topic). */
  readonly topicWeights: readonly Float64Array[];
  /** The `salientPoolSize` globally most salient words (indices), most salient first. */
  readonly salientPool: readonly number[];
}

let cachedWords: string[] | undefined;

/** The shipped word list (`assets/digest/words.txt`, 251 words). */
export function digestWordList(): readonly string[] {
  cachedWords ??= readFileSync(assetPath('digest/words.txt'), 'utf8')
    .split('\n')
    .map((w) => w.trim())
    .filter((w) => w.length > 0);
  return cachedWords;
}

/** Builds the hidden world of a digest task from its config (stream 1 of the seed). */
export function createDigestWorld(config: DigestTaskConfig): DigestWorld {
  const words = digestWordList().slice(0, config.vocabWords);
  const rng = new Prng(config.seed, 1);
  const salience = new Float64Array(words.length);
  for (let i = 0; i < words.length; i++) salience[i] = rng.uniform() ** 2;
  const topicWeights: Float64Array[] = [];
  for (let t = 0; t < config.numTopics; t++) {
    const ranks = rng.shuffle(words.map((_, i) => i));
    const weights = new Float64Array(words.length);
    ranks.forEach((word, rank) => {
      weights[word] = 1 / (rank + 1) ** config.zipfExponent;
    });
    topicWeights.push(weights);
  }
  const salientPool = words
    .map((_, i) => i)
    .sort((a, b) => (salience[b] as number) - (salience[a] as number))
    .slice(0, config.salientPoolSize);
  return {
    words,
    wordIndex: new Map(words.map((w, i) => [w, i])),
    salience,
    topicWeights,
    salientPool,
  };
}

/** The prompt text of a document: `[BOS] w1 … wL [SEP]`. */
export function digestPrompt(world: DigestWorld, doc: readonly number[]): string {
  return `[BOS] ${doc.map((i) => world.words[i]).join(' ')} [SEP]`;
}

/**
 * Words of a prompt or response text. Special tokens are dropped unless `keepSpecials` (the judge keeps them in
 * responses, where a generated `[SEP]`/`[PAD]`/`[UNK]` counts as a word absent from the document).
 */
export function digestWords(text: string, keepSpecials = false): string[] {
  return text
    .split(/\s+/)
    .filter(
      (w) => w.length > 0 && (keepSpecials || !(DIGEST_SPECIAL_TOKENS as readonly string[]).includes(w)),
    );
}

/** Draws a document: a topic, a length in `[minDocWords, maxDocWords]`, words i.i.d. from the topic. */
export function sampleDocument(world: DigestWorld, config: DigestTaskConfig, rng: Prng): number[] {
  const topic = world.topicWeights[rng.int(world.topicWeights.length)] as Float64Array;
  const length = config.minDocWords + rng.int(config.maxDocWords - config.minDocWords + 1);
  return Array.from({ length }, () => rng.categorical(topic));
}
