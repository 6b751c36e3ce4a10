import { InvalidArgumentError } from '@ocrm/core';

/**
 * Checks the arguments of a `GoldJudge.score` call: one response (and, when given, one `ended` flag) per prompt.
 * @throws InvalidArgumentError naming the judge and the three lengths.
 */
export function checkJudgeInput(
  judge: string,
  prompts: readonly string[],
  responses: readonly string[],
  ended?: readonly boolean[],
): void {
  if (prompts.length !== responses.length || (ended && ended.length !== prompts.length)) {
    throw new InvalidArgumentError(
      `${judge}.score: ${prompts.length} prompts, ${responses.length} responses, ${ended?.length} ended flags`,
    );
  }
}
