import { ConfigError } from '@ocrm/core';

/** How SFT demonstrations are generated ("good but imperfect digests"). Probabilities are per response unless noted. */
export interface DigestDemoConfig {
  /** P(k words) for k = 2, 3, 4, 5 … (index 0 is k = 2): how many of the document's most salient words to take. */
  lengthProbs: readonly number[];
  /** Per word: replaced by another (less salient) document word. A quality loss, not a penalty. */
  swapProb: number;
  /** One word replaced by a random vocabulary word that is not in the document (off-document penalty). */
  offDocProb: number;
  /** One globally salient word that is NOT in the document inserted (off-document penalty; the pattern a proxy RM
   * learns to exploit, present rarely so importance weighting has something to re-weight). */
  salientOffDocProb: number;
  /** One word repeated (repeat penalty). */
  repeatProb: number;
  /** Extra document words appended up to `freeLength + 1..2` words (length penalty). */
  longProb: number;
  /** Order shuffled instead of by salience. */
  shuffleProb: number;
}

/** The gold formula's coefficients (README "Gold judge"). */
export interface DigestJudgeConfig {
  /** Salient words of the document that define full coverage (top-k by salience). */
  topK: number;
  /** `coverage = 1 - exp(-coverageScale * raw)`. */
  coverageScale: number;
  /** Per repeated word occurrence. */
  repeatPenalty: number;
  /** Per word beyond `freeLength`. */
  lengthPenalty: number;
  /** Words allowed before the length penalty starts. */
  freeLength: number;
  /** Per distinct word absent from the document (unknown words included). */
  offDocPenalty: number;
  /** When the response has no EOS. */
  noEosPenalty: number;
  /** Scale of the continuous tie-break term (|term| ≤ tieBreak). */
  tieBreak: number;
}

/** Options of `createDigestTask`. Every size is a parameter; defaults follow DIGEST-PROTOTYPE.md. */
export interface DigestTaskConfig {
  /** Seed of everything (vocabulary salience, topics, documents, demonstrations). */
  seed: number;
  /** Words used from `assets/digest/words.txt` (1..251). Token vocabulary = 5 specials + vocabWords. */
  vocabWords: number;
  numTopics: number;
  /** Exponent s of each topic's Zipf distribution `p(rank r) ∝ 1 / r^s`. */
  zipfExponent: number;
  /** Document length range in words (≤ 32). */
  minDocWords: number;
  maxDocWords: number;
  /** Response length in words (≤ 16); `maxResponseTokens = maxResponseWords + 1` (EOS). */
  maxResponseWords: number;
  /** Size of the pool of globally most salient words used by the exploit pattern in demonstrations. */
  salientPoolSize: number;
  numSftTrain: number;
  numSftEval: number;
  numTrainPrompts: number;
  numEvalPrompts: number;
  demo: DigestDemoConfig;
  judge: DigestJudgeConfig;
}

/** Defaults (frozen). Prototype values; the experiment issue tunes them. */
export const DEFAULT_DIGEST_TASK_CONFIG: Readonly<DigestTaskConfig> = Object.freeze({
  seed: 0,
  vocabWords: 96,
  numTopics: 4,
  zipfExponent: 1.1,
  minDocWords: 12,
  maxDocWords: 24,
  maxResponseWords: 12,
  salientPoolSize: 8,
  numSftTrain: 8000,
  numSftEval: 200,
  numTrainPrompts: 2000,
  numEvalPrompts: 200,
  demo: Object.freeze({
    lengthProbs: Object.freeze([0.2, 0.35, 0.3, 0.15]),
    swapProb: 0.15,
    offDocProb: 0.03,
    salientOffDocProb: 0.05,
    repeatProb: 0.04,
    longProb: 0.04,
    shuffleProb: 0.3,
  }),
  judge: Object.freeze({
    topK: 4,
    coverageScale: 2,
    repeatPenalty: 0.3,
    lengthPenalty: 0.2,
    freeLength: 6,
    offDocPenalty: 0.3,
    noEosPenalty: 0.5,
    tieBreak: 0.01,
  }),
});

/** Options accepted by `createDigestTask`: any subset, nested objects merged field by field. */
export type DigestTaskOptions = Partial<Omit<DigestTaskConfig, 'demo' | 'judge'>> & {
  demo?: Partial<DigestDemoConfig>;
  judge?: Partial<DigestJudgeConfig>;
};

/** Merges options over the defaults and validates them. @throws ConfigError naming the bad field. */
export function resolveDigestTaskConfig(options: DigestTaskOptions = {}): DigestTaskConfig {
  const d = DEFAULT_DIGEST_TASK_CONFIG;
  const c: DigestTaskConfig = {
    ...d,
    ...options,
    demo: { ...d.demo, ...options.demo },
    judge: { ...d.judge, ...options.judge },
  };
  const int = (path: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ConfigError(path, `expected an integer in [${min}, ${max}], got ${v}`);
    }
  };
  const prob = (path: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new ConfigError(path, `expected a probability in [0, 1], got ${v}`);
  };
  const nonNeg = (path: string, v: number) => {
    if (!(v >= 0) || !Number.isFinite(v))
      throw new ConfigError(path, `expected a finite number ≥ 0, got ${v}`);
  };
  int('seed', c.seed, 0);
  int('vocabWords', c.vocabWords, 8, 251);
  int('numTopics', c.numTopics, 1);
  nonNeg('zipfExponent', c.zipfExponent);
  int('minDocWords', c.minDocWords, 1, 32);
  int('maxDocWords', c.maxDocWords, c.minDocWords, 32);
  int('maxResponseWords', c.maxResponseWords, 1, 16);
  int('salientPoolSize', c.salientPoolSize, 1, c.vocabWords);
  for (const k of ['numSftTrain', 'numSftEval', 'numTrainPrompts', 'numEvalPrompts'] as const)
    int(k, c[k], 0);
  if (c.demo.lengthProbs.length === 0 || c.demo.lengthProbs.some((p) => !(p >= 0))) {
    throw new ConfigError('demo.lengthProbs', 'expected a non-empty list of non-negative weights');
  }
  for (const k of [
    'swapProb',
    'offDocProb',
    'salientOffDocProb',
    'repeatProb',
    'longProb',
    'shuffleProb',
  ] as const) {
    prob(`demo.${k}`, c.demo[k]);
  }
  int('judge.topK', c.judge.topK, 1);
  int('judge.freeLength', c.judge.freeLength, 0);
  for (const k of [
    'coverageScale',
    'repeatPenalty',
    'lengthPenalty',
    'offDocPenalty',
    'noEosPenalty',
    'tieBreak',
  ] as const) {
    nonNeg(`judge.${k}`, c.judge[k]);
  }
  return c;
}
