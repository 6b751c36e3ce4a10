/**
 * A batch of prompt + response token sequences on the host.
 *
 * Layout (row-major, B = `batchSize`, T = `seqLength`): positions `[0, promptLength)` hold the prompt, left-padded;
 * positions `[promptLength, T)` hold the response (T_resp = T - promptLength tokens), right-padded. Response token
 * `t` sits at sequence position `promptLength + t`; its log-prob is read from the logits at `promptLength - 1 + t`.
 *
 * `ids` keep the tokenizer's PAD id at padded positions; models replace masked ids by 0 before embedding.
 * Host arrays (not tensors) so batches can be stored, sliced and shared without ownership questions.
 */
export interface TokenBatch {
  /** Token ids, Int32 `[B, T]`, row-major. */
  readonly ids: Int32Array;
  /** 1 = real token, 0 = padding, `[B, T]`, row-major. For responses: valid through the first EOS. */
  readonly mask: Uint8Array;
  /** B. */
  readonly batchSize: number;
  /** T (prompt + response positions). */
  readonly seqLength: number;
  /** Number of prompt positions; response tokens start here. */
  readonly promptLength: number;
}

/** Number of response positions of a batch: `seqLength - promptLength`. */
export function responseLength(batch: TokenBatch): number {
  return batch.seqLength - batch.promptLength;
}
