import { DataError, type PreferencePair, type Tokenizer } from '@ocrm/core';
import { hhPairs } from '../adapters/hh';
import { textPair } from '../adapters/text-pair';

/**
 * Layouts of a preference dataset's records:
 * - `trl`: TRL's standard preference format with an explicit prompt — `prompt`, `chosen`, `rejected` strings (the
 *   prompt exactly as the model sees it; responses without EOS). TRL's conversational form (lists of messages) needs a
 *   chat template and is refused with a message saying so.
 * - `hh`: Anthropic HH — `chosen` / `rejected` full transcripts sharing the prompt (TRL's implicit-prompt form).
 */
export const PREFERENCE_FORMATS = ['trl', 'hh'] as const;
/** A {@link PREFERENCE_FORMATS} entry. */
export type PreferenceFormat = (typeof PREFERENCE_FORMATS)[number];

/** Options of {@link preferenceRecordsToPairs}. */
export interface PreferenceRecordOptions {
  format: PreferenceFormat;
  tokenizer: Tokenizer;
  /** Prompts longer than this many tokens keep their last tokens (left truncation, as the policy's context does). */
  maxPromptTokens: number;
  /** Responses longer than this many tokens (EOS included) are cut and end without EOS. */
  maxResponseTokens: number;
  /** File the records came from, for errors. */
  file?: string;
  /** Each record's 1-based file line (JSONL) or row (Parquet), for errors; default index + 1. */
  lines?: readonly number[];
}

/** What {@link preferenceRecordsToPairs} changed, for the stage's summary. */
export interface PreferenceRecordStats {
  records: number;
  /** Pairs whose prompt lost tokens on the left. */
  promptsTruncated: number;
  /** Responses cut at `maxResponseTokens` (counted per response). */
  responsesTruncated: number;
}

/**
 * The behaviour density a record carries (our pair fields: summed log-probs of both responses, EOS included, under
 * the policy that sampled them at `samplerTemperature`), or undefined when it carries none.
 * @throws DataError naming the field when only some of the three are present or one is not a finite number.
 */
function recordedBehaviour(
  record: Record<string, unknown>,
  where: (field: string) => { file?: string; line: number; field: string },
): Pick<PreferencePair, 'logpSamplerChosen' | 'logpSamplerRejected' | 'samplerTemperature'> | undefined {
  const fields = ['logpSamplerChosen', 'logpSamplerRejected', 'samplerTemperature'] as const;
  const present = fields.filter((f) => record[f] !== undefined && record[f] !== null);
  if (present.length === 0) return undefined;
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new DataError(
        `expected a finite number (behaviour log-probs need all three of ${fields.join(', ')})`,
        where(field),
      );
    }
  }
  if ((record.samplerTemperature as number) <= 0)
    throw new DataError('must be > 0', where('samplerTemperature'));
  return {
    logpSamplerChosen: record.logpSamplerChosen as number,
    logpSamplerRejected: record.logpSamplerRejected as number,
    samplerTemperature: record.samplerTemperature as number,
  };
}

/**
 * Preference records → pairs in the run's token space, the dataset's preference kept (`chosen` is the preferred
 * response). Records may carry their behaviour density (`logpSamplerChosen`, `logpSamplerRejected`,
 * `samplerTemperature`, e.g. pairs exported from a run): it is kept, and the weights' denominator is then taken at
 * that temperature and the sampler drift reported. Without it — responses from whatever policies made the dataset —
 * the OCRM weights divide by π_SFT at the `pairs` section's temperature, the paper's choice for a fixed dataset.
 * @throws DataError naming file, line and field for a record without a string `prompt` / `chosen` / `rejected`
 *   (or a conversational record), with a duplicate id, or with partial or truncated behaviour log-probs.
 */
export function preferenceRecordsToPairs(
  records: readonly Record<string, unknown>[],
  options: PreferenceRecordOptions,
): { pairs: PreferencePair[]; stats: PreferenceRecordStats } {
  const { tokenizer, file, lines } = options;
  const where = (index: number, field: string) => ({ file, line: lines?.[index] ?? index + 1, field });
  const raw =
    options.format === 'hh'
      ? hhPairs(records, { tokenizer, file, lines })
      : records.map((record, index) => {
          for (const field of ['prompt', 'chosen', 'rejected'] as const) {
            const value = record[field];
            if (Array.isArray(value)) {
              throw new DataError(
                'conversational records (lists of messages) need a chat template: give `prompt`, `chosen`, `rejected` as text',
                where(index, field),
              );
            }
            if (typeof value !== 'string')
              throw new DataError('missing or not a string', where(index, field));
          }
          const id = typeof record.id === 'string' ? record.id : `pref-${index}`;
          return textPair(
            id,
            record.prompt as string,
            record.chosen as string,
            record.rejected as string,
            tokenizer,
          );
        });
  const stats: PreferenceRecordStats = {
    records: records.length,
    promptsTruncated: 0,
    responsesTruncated: 0,
  };
  const ids = new Set<string>();
  let withBehaviour: boolean | undefined;
  const pairs = raw.map((pair, index) => {
    if (ids.has(pair.id)) throw new DataError(`duplicate id ${JSON.stringify(pair.id)}`, where(index, 'id'));
    ids.add(pair.id);
    let promptIds = pair.promptIds;
    if (promptIds.length > options.maxPromptTokens) {
      promptIds = promptIds.slice(promptIds.length - options.maxPromptTokens);
      stats.promptsTruncated++;
    }
    const cut = (ids: number[]) => {
      if (ids.length <= options.maxResponseTokens) return ids;
      stats.responsesTruncated++;
      return ids.slice(0, options.maxResponseTokens);
    };
    const out: PreferencePair = {
      ...pair,
      promptIds,
      chosenIds: cut(pair.chosenIds),
      rejectedIds: cut(pair.rejectedIds),
      goldChosen: 1,
      goldRejected: 0,
    };
    const behaviour = recordedBehaviour(records[index]!, (field) => where(index, field));
    withBehaviour ??= behaviour !== undefined;
    if (withBehaviour !== (behaviour !== undefined)) {
      throw new DataError(
        'some records carry behaviour log-probs (logpSamplerChosen, logpSamplerRejected, samplerTemperature) and others do not: all or none',
        where(index, 'logpSamplerChosen'),
      );
    }
    if (behaviour) {
      // Cutting only the appended EOS is no truncation: a sampled response that hit the length limit has none, and
      // its recorded log-prob is that of the cut ids.
      const limit = options.maxResponseTokens + 1;
      const truncated =
        out.promptIds.length !== pair.promptIds.length ||
        pair.chosenIds.length > limit ||
        pair.rejectedIds.length > limit;
      if (truncated) {
        throw new DataError(
          'the pair records its behaviour log-probs but had to be truncated to the task’s lengths, so they would no longer match: raise the task’s prompt/response lengths or drop the three fields',
          where(index, 'logpSamplerChosen'),
        );
      }
      Object.assign(out, behaviour);
    }
    return out;
  });
  return { pairs, stats };
}
