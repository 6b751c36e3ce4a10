import { type GoldJudge, SPECIFICATION_VERSION, type SpecificationVersion } from '@ocrm/core';
import { checkJudgeInput } from '../internal/judge-input';

/** Coefficients of {@link TldrJudge}. */
export interface TldrJudgeConfig {
  /** Salient words of a post that define full coverage (top-k by tf·idf). */
  topK: number;
  /** `coverage = 1 - exp(-coverageScale * raw)`. */
  coverageScale: number;
  /** Words allowed before the length penalty starts. */
  freeLength: number;
  /** Per word beyond `freeLength`. */
  lengthPenalty: number;
  /** Per repeated word trigram. */
  repeatPenalty: number;
  /** Per distinct content word absent from the post (capped at `maxOffPost`). */
  offPostPenalty: number;
  maxOffPost: number;
  /** When the response has no EOS. */
  noEosPenalty: number;
}

/** Defaults (frozen). */
export const DEFAULT_TLDR_JUDGE_CONFIG: Readonly<TldrJudgeConfig> = Object.freeze({
  topK: 8,
  coverageScale: 2,
  freeLength: 40,
  lengthPenalty: 0.02,
  repeatPenalty: 0.2,
  offPostPenalty: 0.02,
  maxOffPost: 10,
  noEosPenalty: 0.5,
});

// biome-ignore format: a word list
const STOPWORDS = new Set(`a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
on once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves im ive id dont didnt doesnt cant wont isnt wasnt
its thats get got also really like just know want one even much still go going went would could tldr`.split(/\s+/));

/** Lower-cased word tokens of a text (letters, digits, apostrophes removed). */
export function tldrWords(text: string): string[] {
  return (text
    .toLowerCase()
    .replace(/'/g, '')
    .match(/[a-z0-9]+/g) ?? []) as string[];
}

function contentWords(text: string): string[] {
  return tldrWords(text).filter((w) => !STOPWORDS.has(w) && w.length > 1);
}

/** Every term of one TL;DR gold score. */
export interface TldrScoreBreakdown {
  gold: number;
  coverage: number;
  excessLength: number;
  repeatedTrigrams: number;
  offPost: number;
  noEos: boolean;
}

/**
 * A programmatic TL;DR gold judge that never looks at the reference summary, so win rate against the human reference
 * is meaningful: `gold = (1 - exp(-2·raw)) - 0.02·max(0, words - 40) - 0.2·repeatedTrigrams - 0.02·min(10, offPost)
 * - 0.5·[no EOS]`, where raw = Σ weight of the post's top-8 salient content words that the response contains /
 * Σ weight of the top 8, weight(w) = count of w in title + post × idf(w) over the corpus (stop words excluded), and
 * offPost counts distinct content words of the response absent from the title and post.
 * The prompt must contain `POST:` (TL;DR template); the title is read from `TITLE:` when present.
 */
export class TldrJudge implements GoldJudge {
  readonly specificationVersion: SpecificationVersion = SPECIFICATION_VERSION;
  readonly name = 'tldr-salience';
  private readonly idf = new Map<string, number>();
  private readonly defaultIdf: number;

  /** @param corpus post texts the idf is computed from (the task's posts). */
  constructor(
    corpus: readonly string[],
    readonly config: TldrJudgeConfig = DEFAULT_TLDR_JUDGE_CONFIG,
  ) {
    const df = new Map<string, number>();
    for (const doc of corpus) for (const w of new Set(contentWords(doc))) df.set(w, (df.get(w) ?? 0) + 1);
    const n = corpus.length;
    for (const [w, d] of df) this.idf.set(w, Math.log((n + 1) / (d + 1)) + 1);
    this.defaultIdf = Math.log(n + 1) + 1;
  }

  /** Every term of the score of one (prompt, response). */
  breakdown(prompt: string, response: string, ended = true): TldrScoreBreakdown {
    const c = this.config;
    const start = prompt.indexOf('TITLE:');
    const source = start >= 0 ? prompt.slice(start).replace(/\n\nTL;DR:\s*$/, '') : prompt;
    const counts = new Map<string, number>();
    for (const w of contentWords(source.replace(/^TITLE:|\n\nPOST:/g, ' ')))
      counts.set(w, (counts.get(w) ?? 0) + 1);
    const salient = [...counts]
      .map(([w, k]) => [w, k * (this.idf.get(w) ?? this.defaultIdf)] as const)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, c.topK);
    const total = salient.reduce((s, [, v]) => s + v, 0);
    const responseContent = new Set(contentWords(response));
    const covered = salient.reduce((s, [w, v]) => s + (responseContent.has(w) ? v : 0), 0);
    const coverage = total > 0 ? 1 - Math.exp((-c.coverageScale * covered) / total) : 0;
    const words = tldrWords(response);
    const excessLength = Math.max(0, words.length - c.freeLength);
    const trigrams = new Set<string>();
    let repeatedTrigrams = 0;
    for (let i = 0; i + 2 < words.length; i++) {
      const t = `${words[i]} ${words[i + 1]} ${words[i + 2]}`;
      if (trigrams.has(t)) repeatedTrigrams++;
      trigrams.add(t);
    }
    let offPost = 0;
    for (const w of responseContent) if (!counts.has(w)) offPost++;
    const gold =
      coverage -
      c.lengthPenalty * excessLength -
      c.repeatPenalty * repeatedTrigrams -
      c.offPostPenalty * Math.min(c.maxOffPost, offPost) -
      (ended ? 0 : c.noEosPenalty);
    return { gold, coverage, excessLength, repeatedTrigrams, offPost, noEos: !ended };
  }

  async score(
    prompts: readonly string[],
    responses: readonly string[],
    ended?: readonly boolean[],
  ): Promise<number[]> {
    checkJudgeInput('TldrJudge', prompts, responses, ended);
    return prompts.map((p, i) => this.breakdown(p, responses[i] as string, ended?.[i] ?? true).gold);
  }
}
