import { DataError, type PreferencePair, type Tokenizer } from '@ocrm/core';
import { textPair } from './text-pair';

const ASSISTANT = '\n\nAssistant:';

/**
 * Anthropic HH records (`chosen`, `rejected`: full transcripts `\n\nHuman: …\n\nAssistant: …` differing in the last
 * Assistant turn) → preference pairs: `prompt` = the shared transcript through the last `\n\nAssistant:`, `chosen` /
 * `rejected` = the two last Assistant turns (leading space kept). Token ids from `tokenizer`, responses with the EOS
 * id appended.
 * @throws DataError naming the record (its file line from `options.lines`, else index + 1) and field when a transcript has no Assistant turn or the
 * two transcripts do not share the prompt.
 */
export function hhPairs(
  records: readonly Record<string, unknown>[],
  options: { tokenizer: Tokenizer; file?: string; lines?: readonly number[] },
): PreferencePair[] {
  const { tokenizer } = options;
  return records.map((record, index) => {
    const where = (field: string) => ({
      file: options.file,
      line: options.lines?.[index] ?? index + 1,
      field,
    });
    for (const field of ['chosen', 'rejected'] as const) {
      if (typeof record[field] !== 'string') throw new DataError('missing or not a string', where(field));
    }
    const chosenText = record.chosen as string;
    const rejectedText = record.rejected as string;
    const cut = chosenText.lastIndexOf(ASSISTANT);
    if (cut < 0) throw new DataError('no "\\n\\nAssistant:" turn', where('chosen'));
    const prompt = chosenText.slice(0, cut + ASSISTANT.length);
    if (!rejectedText.startsWith(prompt) || rejectedText.indexOf(ASSISTANT, prompt.length) >= 0) {
      throw new DataError('rejected transcript does not share the prompt of chosen', where('rejected'));
    }
    const chosen = chosenText.slice(prompt.length);
    const rejected = rejectedText.slice(prompt.length);
    return textPair(
      typeof record.id === 'string' ? record.id : `hh-${index}`,
      prompt,
      chosen,
      rejected,
      tokenizer,
    );
  });
}
