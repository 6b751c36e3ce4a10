import type { TokenBatch } from '../contracts/token-batch';
import { InvalidArgumentError } from '../errors';

/** Input of {@link buildTokenBatch}. */
export interface BuildTokenBatchOptions {
  /** Unpadded prompt ids, one array per row. */
  prompts: readonly ArrayLike<number>[];
  /** Unpadded response ids (through the first EOS), one per prompt. Omitted: the batch has no response positions. */
  responses?: readonly ArrayLike<number>[];
  /** Id written at padded positions (their mask is 0). */
  padId: number;
  /** Prompt positions P; prompts are LEFT-padded to it. Default: the longest prompt. */
  promptLength?: number;
  /** Response positions T_resp; responses are RIGHT-padded to it. Default: the longest response (0 without). */
  responseLength?: number;
}

function maxLength(rows: readonly ArrayLike<number>[]): number {
  let max = 0;
  for (const row of rows) max = Math.max(max, row.length);
  return max;
}

function checkFixedLength(name: string, value: number | undefined, longest: number): number {
  if (value === undefined) return longest;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `buildTokenBatch: \`${name}\` must be a non-negative integer, got ${value}.`,
    );
  }
  if (longest > value) {
    throw new InvalidArgumentError(
      `buildTokenBatch: a ${name === 'promptLength' ? 'prompt' : 'response'} has ${longest} tokens, more than ` +
        `\`${name}\` = ${value}.`,
      { hint: `Truncate the sequences first or raise \`${name}\`.` },
    );
  }
  return value;
}

/**
 * Packs prompts (and responses) into a host {@link TokenBatch}: prompts LEFT-padded to `promptLength`, responses
 * RIGHT-padded to `responseLength`, `mask` 1 on every given token and 0 on padding, `padId` at padded positions.
 *
 * @returns a new batch `[B, promptLength + responseLength]` owned by the caller.
 * @throws InvalidArgumentError when a sequence is longer than the fixed length or `responses` has the wrong count.
 * @example
 * buildTokenBatch({ prompts: [[5, 6], [7]], responses: [[8, 2], [9]], padId: 0 });
 * // ids  = [5, 6, 8, 2,   0, 7, 9, 0]
 * // mask = [1, 1, 1, 1,   0, 1, 1, 0]
 */
export function buildTokenBatch(options: BuildTokenBatchOptions): TokenBatch {
  const { prompts, responses, padId } = options;
  if (!Number.isInteger(padId)) {
    throw new InvalidArgumentError(`buildTokenBatch: \`padId\` must be an integer, got ${padId}.`);
  }
  if (responses !== undefined && responses.length !== prompts.length) {
    throw new InvalidArgumentError(
      `buildTokenBatch: ${prompts.length} prompts but ${responses.length} responses; give one response per prompt.`,
    );
  }
  const promptLength = checkFixedLength('promptLength', options.promptLength, maxLength(prompts));
  const responseLength = checkFixedLength(
    'responseLength',
    options.responseLength,
    responses ? maxLength(responses) : 0,
  );
  const batchSize = prompts.length;
  const seqLength = promptLength + responseLength;
  const ids = new Int32Array(batchSize * seqLength).fill(padId);
  const mask = new Uint8Array(batchSize * seqLength);
  for (let b = 0; b < batchSize; b++) {
    const row = b * seqLength;
    const prompt = prompts[b] as ArrayLike<number>;
    const start = row + promptLength - prompt.length;
    for (let t = 0; t < prompt.length; t++) {
      ids[start + t] = prompt[t] as number;
      mask[start + t] = 1;
    }
    const response = responses?.[b];
    if (response === undefined) continue;
    for (let t = 0; t < response.length; t++) {
      ids[row + promptLength + t] = response[t] as number;
      mask[row + promptLength + t] = 1;
    }
  }
  return { ids, mask, batchSize, seqLength, promptLength };
}
