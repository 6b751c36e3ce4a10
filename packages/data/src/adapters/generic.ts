import { DataError } from '@ocrm/core';
import type { ReferenceExample } from './tldr';

/** Which record fields hold what, for {@link genericExamples}. */
export interface GenericFields {
  /** Field holding the prompt, or a template with `{field}` placeholders (e.g. `'Q: {question}\nA:'`). */
  prompt: string;
  /** Field holding the response/reference (optional: prompts only). */
  response?: string;
  /** Field holding the id (default: `{idPrefix}-{index}`). */
  id?: string;
  idPrefix?: string;
  /** Prepended to the response text (e.g. `' '`). Default ''. */
  responsePrefix?: string;
}

/**
 * Records with user-named fields → examples. `fields.prompt` is a field name, or a template when it contains `{`.
 * @throws DataError naming the record (its file line from `options.lines`, else index + 1) and the missing field.
 */
export function genericExamples(
  records: readonly Record<string, unknown>[],
  fields: GenericFields,
  options: { file?: string; lines?: readonly number[] } = {},
): ReferenceExample[] {
  return records.map((record, index) => {
    const get = (field: string) => {
      const value = record[field];
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new DataError('missing or not a string', {
        file: options.file,
        line: options.lines?.[index] ?? index + 1,
        field,
      });
    };
    const prompt = fields.prompt.includes('{')
      ? fields.prompt.replace(/\{([^{}]+)\}/g, (_, name: string) => get(name))
      : get(fields.prompt);
    const response =
      fields.response === undefined ? '' : `${fields.responsePrefix ?? ''}${get(fields.response)}`;
    return {
      id: fields.id ? get(fields.id) : `${fields.idPrefix ?? 'example'}-${index}`,
      prompt,
      response,
      reference: response,
    };
  });
}
