import type { SftExample, TokenBatch, Tokenizer } from '@ocrm/core';

/** One tokenized demonstration: prompt ids and response ids ending with EOS. */
export interface EncodedSftExample {
  promptIds: number[];
  responseIds: number[];
}

/**
 * Tokenizes demonstrations: `encode(prompt)`, `encode(response) + [eosId]`. With `maxSeqLength > 0` an example
 * longer than that loses prompt tokens from the left first, then response tokens from the right.
 */
export function encodeSftExamples(
  examples: readonly SftExample[],
  tokenizer: Tokenizer,
  maxSeqLength = 0,
): EncodedSftExample[] {
  return examples.map((example) => {
    let promptIds = tokenizer.encode(example.prompt);
    let responseIds = [...tokenizer.encode(example.response), tokenizer.eosId];
    if (maxSeqLength > 0 && promptIds.length + responseIds.length > maxSeqLength) {
      const keepPrompt = Math.max(0, maxSeqLength - responseIds.length);
      promptIds = promptIds.slice(promptIds.length - keepPrompt);
      responseIds = responseIds.slice(0, maxSeqLength - promptIds.length);
    }
    return { promptIds, responseIds };
  });
}

/** Next-token targets of a batch for the causal-LM loss, host arrays `[B, T-1]`. */
export interface NextTokenTargets {
  /** `ids[b, t+1]`, 0 where the target is masked. */
  targets: Int32Array;
  /**
   * Loss weight of each target: 1 where both position t and t+1 are real response tokens (or a prompt token
   * followed by the first response token), `promptLossWeight` where the target t+1 is a prompt token, 0 at padding.
   */
  mask: Float32Array;
  /** Sum of `mask` (the token count when `promptLossWeight` is 1). */
  count: number;
}

/**
 * Targets of next-token cross-entropy over the whole sequence: position t predicts token t+1 whenever both are real
 * tokens, so prompt tokens (after the first) are trained on, weighted by `promptLossWeight` (default 1: docs/algorithm.md;
 * 0 = completion-only loss), and padding never is.
 */
export function nextTokenTargets(batch: TokenBatch, promptLossWeight = 1): NextTokenTargets {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  const targets = new Int32Array(B * (T - 1));
  const mask = new Float32Array(B * (T - 1));
  let count = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const i = b * T + t;
      if (batch.mask[i] && batch.mask[i + 1]) {
        const weight = t + 1 < P ? promptLossWeight : 1;
        if (weight === 0) continue;
        targets[b * (T - 1) + t] = batch.ids[i + 1]!;
        mask[b * (T - 1) + t] = weight;
        count += weight;
      }
    }
  }
  return { targets, mask, count };
}
