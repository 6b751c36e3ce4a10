import { type GoldJudge, SPECIFICATION_VERSION, type SpecificationVersion } from '@ocrm/core';
import { checkJudgeInput } from '../internal/judge-input';
import type { DigestJudgeConfig } from './digest-config';
import { type DigestWorld, digestWords } from './digest-world';

/** Every term of one digest gold score (`gold = coverage - penalties + tieBreak`). */
export interface DigestScoreBreakdown {
  gold: number;
  /** `1 - exp(-coverageScale * raw)`, raw = Σ sal over the response's distinct document words / Σ sal of top-k. */
  coverage: number;
  /** Extra occurrences of a word already used. */
  repeats: number;
  /** Words beyond `freeLength`. */
  excessLength: number;
  /** Distinct response words absent from the document (unknown words included). */
  offDoc: number;
  /** The response produced no EOS. */
  noEos: boolean;
  /** The small continuous term (|·| ≤ tieBreak): order-weighted salience, negative for off-document words. */
  tieBreak: number;
}

/**
 * Scores one digest response (pure; the formula of the README):
 * `gold = (1 - exp(-c·raw)) - 0.3·repeats - 0.2·max(0, len - 6) - 0.3·offDoc - 0.5·[no EOS] + tieBreak`
 * with `tieBreak = (tb/2) Σ_i 2^-i · (±sal(w_i))` over the first occurrences of the response's words in order
 * (+ for document words, - otherwise; unknown words count 0), so |tieBreak| ≤ tb.
 */
export function scoreDigest(
  world: DigestWorld,
  judge: DigestJudgeConfig,
  docWords: readonly string[],
  responseWords: readonly string[],
  ended = true,
): DigestScoreBreakdown {
  const doc = new Set(docWords);
  const docSal = [...doc]
    .map((w) => salienceOf(world, w))
    .sort((a, b) => b - a)
    .slice(0, judge.topK);
  const denominator = docSal.reduce((s, v) => s + v, 0);
  const seen = new Set<string>();
  let covered = 0;
  let offDoc = 0;
  let tie = 0;
  let position = 0;
  for (const word of responseWords) {
    if (seen.has(word)) continue;
    seen.add(word);
    const sal = salienceOf(world, word);
    if (doc.has(word)) {
      covered += sal;
      tie += sal * 0.5 ** position;
    } else {
      offDoc++;
      tie -= sal * 0.5 ** position;
    }
    position++;
  }
  const raw = denominator > 0 ? covered / denominator : 0;
  const coverage = 1 - Math.exp(-judge.coverageScale * raw);
  const repeats = responseWords.length - seen.size;
  const excessLength = Math.max(0, responseWords.length - judge.freeLength);
  const tieBreak = (judge.tieBreak / 2) * tie;
  const gold =
    coverage -
    judge.repeatPenalty * repeats -
    judge.lengthPenalty * excessLength -
    judge.offDocPenalty * offDoc -
    (ended ? 0 : judge.noEosPenalty) +
    tieBreak;
  return { gold, coverage, repeats, excessLength, offDoc, noEos: !ended, tieBreak };
}

function salienceOf(world: DigestWorld, word: string): number {
  const index = world.wordIndex.get(word);
  return index === undefined ? 0 : (world.salience[index] as number);
}

/**
 * The digest task's gold judge (the stand-in for human raters): {@link scoreDigest} on the words of each prompt
 * (`[BOS] doc [SEP]`, specials dropped) and response (text without EOS; `ended[i] = false` adds the no-EOS penalty).
 * Special tokens inside a response (`[SEP]`, `[PAD]`, `[UNK]`, as decoded with `skipSpecialTokens: false`) count as
 * words absent from the document, so a policy cannot hide tokens from the judge.
 */
export class DigestJudge implements GoldJudge {
  readonly specificationVersion: SpecificationVersion = SPECIFICATION_VERSION;
  readonly name = 'digest-gold';
  /** A formula: the quick preset's 32,000 responses score in about half a second (less than a process start). */
  readonly inexpensive = true;

  constructor(
    /** The task's hidden world (salience). */
    readonly world: DigestWorld,
    /** The formula's coefficients. */
    readonly config: DigestJudgeConfig,
  ) {}

  /** Every term of the score of one (prompt, response). */
  breakdown(prompt: string, response: string, ended = true): DigestScoreBreakdown {
    return scoreDigest(this.world, this.config, digestWords(prompt), digestWords(response, true), ended);
  }

  async score(
    prompts: readonly string[],
    responses: readonly string[],
    ended?: readonly boolean[],
  ): Promise<number[]> {
    checkJudgeInput('DigestJudge', prompts, responses, ended);
    return prompts.map((p, i) => this.breakdown(p, responses[i] as string, ended?.[i] ?? true).gold);
  }
}
