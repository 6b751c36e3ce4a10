import type { PreferencePair, Tokenizer } from '@ocrm/core';

/**
 * A pair of response texts to one prompt in the run's token space: the prompt's ids, and each response's ids with
 * the EOS appended (responses are texts without EOS). Used by the preference-dataset adapters.
 */
export function textPair(
  id: string,
  prompt: string,
  chosen: string,
  rejected: string,
  tokenizer: Tokenizer,
): PreferencePair {
  return {
    id,
    prompt,
    chosen,
    rejected,
    promptIds: tokenizer.encode(prompt),
    chosenIds: [...tokenizer.encode(chosen), tokenizer.eosId],
    rejectedIds: [...tokenizer.encode(rejected), tokenizer.eosId],
  };
}
