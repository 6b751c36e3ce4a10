import { DataError } from '@ocrm/core';
import type { ReferenceExample } from './tldr';

/** The AlpacaFarm prompt: `INSTRUCTION: {instruction} \n\nINPUT: {input}\n\nREPLY:`, the INPUT part omitted when empty. */
export function formatAlpacaFarmPrompt(instruction: string, input = ''): string {
  return input.trim() === ''
    ? `INSTRUCTION: ${instruction} \n\nREPLY:`
    : `INSTRUCTION: ${instruction} \n\nINPUT: ${input}\n\nREPLY:`;
}

/**
 * AlpacaFarm records (`instruction`, `input`, `output`) → examples with prompt {@link formatAlpacaFarmPrompt} and
 * response ` {output}` (a leading space after `REPLY:`, as ` {summary}` after `TL;DR:`).
 * @throws DataError naming the record (its file line from `options.lines`, else index + 1) and the field.
 */
export function alpacaFarmExamples(
  records: readonly Record<string, unknown>[],
  options: { file?: string; lines?: readonly number[]; outputField?: string } = {},
): ReferenceExample[] {
  const outputField = options.outputField ?? 'output';
  return records.map((record, index) => {
    const where = (field: string) => ({
      file: options.file,
      line: options.lines?.[index] ?? index + 1,
      field,
    });
    if (typeof record.instruction !== 'string')
      throw new DataError('missing or not a string', where('instruction'));
    if (record.input !== undefined && record.input !== null && typeof record.input !== 'string') {
      throw new DataError('not a string', where('input'));
    }
    const output = record[outputField];
    if (typeof output !== 'string') throw new DataError('missing or not a string', where(outputField));
    const response = ` ${output}`;
    return {
      id: typeof record.id === 'string' ? record.id : `alpaca-${index}`,
      prompt: formatAlpacaFarmPrompt(record.instruction, (record.input as string | undefined) ?? ''),
      response,
      reference: response,
    };
  });
}
