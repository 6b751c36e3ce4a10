import { InvalidArgumentError, type Tokenizer } from '@ocrm/core';

/** Options of {@link encodeBatch}. */
export interface EncodeBatchOptions {
  /** Which side receives PAD ids. Prompts are left-padded, responses right-padded. Default `'right'`. */
  padding?: 'left' | 'right';
  /** Maximum tokens per row (after `appendEos`). Longer rows are truncated. Default: no limit. */
  maxLength?: number;
  /** Which end is cut when a row is too long. Default `'right'` (keep the beginning). */
  truncation?: 'left' | 'right';
  /** Pad every row to `maxLength` instead of the longest row. Default false. */
  padToMaxLength?: boolean;
  /** Append `tokenizer.eosId` to every row (kept even when the row is truncated). Default false. */
  appendEos?: boolean;
}

/** Padded token ids of several texts. Host arrays owned by the caller. */
export interface EncodedBatch {
  /** Int32 `[B, T]` row-major; padded positions hold `tokenizer.padId`. */
  ids: Int32Array;
  /** `[B, T]`, 1 = real token. */
  mask: Uint8Array;
  batchSize: number;
  /** T. */
  length: number;
  /** Unpadded ids of each row (after truncation). */
  rows: number[][];
}

/**
 * Encodes texts (no special tokens added unless `appendEos`) and pads them into one `[B, T]` block.
 *
 * @example
 * const { ids, mask } = encodeBatch(tok, ['a b', 'c'], { padding: 'left' });
 */
export function encodeBatch(
  tokenizer: Tokenizer,
  texts: readonly string[],
  options: EncodeBatchOptions = {},
): EncodedBatch {
  const {
    padding = 'right',
    maxLength,
    truncation = 'right',
    padToMaxLength = false,
    appendEos = false,
  } = options;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new InvalidArgumentError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  if (padToMaxLength && maxLength === undefined) {
    throw new InvalidArgumentError('padToMaxLength needs maxLength');
  }
  const rows = texts.map((text) => {
    let ids = tokenizer.encode(text);
    const budget = maxLength === undefined ? Number.POSITIVE_INFINITY : maxLength - (appendEos ? 1 : 0);
    if (ids.length > budget) {
      ids = truncation === 'right' ? ids.slice(0, budget) : ids.slice(ids.length - budget);
    }
    return appendEos ? [...ids, tokenizer.eosId] : ids;
  });
  const longest = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const length = padToMaxLength ? (maxLength as number) : longest;
  const ids = new Int32Array(rows.length * length).fill(tokenizer.padId);
  const mask = new Uint8Array(rows.length * length);
  rows.forEach((row, b) => {
    const offset = b * length + (padding === 'left' ? length - row.length : 0);
    ids.set(row, offset);
    mask.fill(1, offset, offset + row.length);
  });
  return { ids, mask, batchSize: rows.length, length, rows };
}
