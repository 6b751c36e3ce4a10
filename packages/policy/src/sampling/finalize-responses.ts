/** What {@link finalizeResponses} returns: host arrays `[B, N]` (N = generated positions). */
export interface FinalizedResponses {
  /** Response ids; every position after a row's first EOS holds `padId`. */
  ids: Int32Array;
  /** 1 through the first EOS (inclusive), 0 after. */
  mask: Uint8Array;
  /** `[B]` 1 when the row produced an EOS. */
  hasEos: Uint8Array;
  /** `[B]` number of valid response tokens (through the first EOS). */
  lengths: Int32Array;
}

/**
 * Fixed-length generation's post-processing (the paper): a row keeps its tokens up to and including its first EOS;
 * everything after becomes padding (`padId`, mask 0). Rows without an EOS keep all N tokens.
 *
 * @param tokens Generated ids, Int32 `[B, N]` row-major (not modified).
 */
export function finalizeResponses(
  tokens: ArrayLike<number>,
  batchSize: number,
  eosId: number,
  padId: number,
): FinalizedResponses {
  const n = batchSize === 0 ? 0 : tokens.length / batchSize;
  const ids = new Int32Array(tokens.length);
  const mask = new Uint8Array(tokens.length);
  const hasEos = new Uint8Array(batchSize);
  const lengths = new Int32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    let ended = false;
    for (let t = 0; t < n; t++) {
      const k = b * n + t;
      if (ended) {
        ids[k] = padId;
        continue;
      }
      ids[k] = tokens[k]!;
      mask[k] = 1;
      lengths[b] = t + 1;
      if (tokens[k] === eosId) {
        ended = true;
        hasEos[b] = 1;
      }
    }
  }
  return { ids, mask, hasEos, lengths };
}
