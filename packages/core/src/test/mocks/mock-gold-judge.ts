import { SPECIFICATION_VERSION } from '../../contracts/common';
import type { GoldJudge } from '../../contracts/gold-judge';
import { InvalidArgumentError } from '../../errors';

/** Options of {@link MockGoldJudge}. */
export interface MockGoldJudgeOptions {
  /** Word counted by the default score (whole words, case-insensitive; default `'good'`). */
  target?: string;
  /** Custom score of one response. Default: occurrences of `target`. */
  scoreFn?: (response: string, prompt: string, ended: boolean) => number;
  /** Added to the score of a response that produced no EOS (`ended[i] === false`; default 0). */
  missingEosPenalty?: number;
  /** Name for reports (default `'mock'`). */
  name?: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A deterministic {@link GoldJudge}: by default the score of a response is the number of times the word `target`
 * (default "good") occurs in it. Records every call in `calls` (prompts and responses), for tests.
 */
export class MockGoldJudge implements GoldJudge {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name: string;
  readonly calls: { prompts: string[]; responses: string[] }[] = [];
  private readonly scoreOne: (response: string, prompt: string, ended: boolean) => number;

  constructor(private readonly options: MockGoldJudgeOptions = {}) {
    this.name = options.name ?? 'mock';
    const pattern = new RegExp(`\\b${escapeRegExp(options.target ?? 'good')}\\b`, 'gi');
    this.scoreOne = options.scoreFn ?? ((response) => response.match(pattern)?.length ?? 0);
  }

  async score(
    prompts: readonly string[],
    responses: readonly string[],
    ended?: readonly boolean[],
  ): Promise<number[]> {
    if (prompts.length !== responses.length || (ended && ended.length !== responses.length)) {
      throw new InvalidArgumentError(
        `MockGoldJudge.score: ${prompts.length} prompts, ${responses.length} responses` +
          `${ended ? `, ${ended.length} ended flags` : ''}; give one of each per response.`,
      );
    }
    this.calls.push({ prompts: [...prompts], responses: [...responses] });
    const penalty = this.options.missingEosPenalty ?? 0;
    return responses.map((response, i) => {
      const didEnd = ended?.[i] ?? true;
      return this.scoreOne(response, prompts[i] as string, didEnd) + (didEnd ? 0 : penalty);
    });
  }
}
