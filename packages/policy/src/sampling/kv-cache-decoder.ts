import { batchTensors, type TokenBatch } from '@ocrm/core';
import type { ForwardInput, KvCache, TransformerModel } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import type { StepDecoder, StepDecoderFactory } from './step-decoder';

/**
 * A {@link StepDecoderFactory} over an `@ocrm/models` transformer and its KV cache: the left-padded prompt is prefilled
 * in one forward (logits only at the last position), then each step feeds one token per row; positions continue from
 * each row's real-token count (left padding does not shift them). Every forward keeps only the logits and the new
 * cache; the previous cache is disposed at once.
 */
export function kvCacheDecoder(model: TransformerModel): StepDecoderFactory {
  return (prompts: TokenBatch): StepDecoder => {
    const rows = prompts.batchSize;
    let cache: KvCache = model.createKvCache(rows);
    const run = (input: Omit<ForwardInput, 'cache'>): tf.Tensor2D => {
      const out = model.forward({ ...input, cache });
      out.hidden.dispose();
      cache.dispose();
      cache = out.cache!;
      const logits = out.logits!;
      const last = tf.tidy(() => tf.squeeze(logits, [1]) as tf.Tensor2D);
      logits.dispose();
      return last;
    };
    return {
      prefill: () => {
        const { ids, mask, positions } = batchTensors(prompts);
        try {
          const P = prompts.seqLength;
          return run({
            inputIds: ids,
            attentionMask: mask,
            positionIds: positions,
            logits: { start: P - 1, end: P },
          });
        } finally {
          tf.dispose([ids, mask, positions]);
        }
      },
      step: (tokens: Int32Array) => {
        const ids = tf.tensor2d(tokens, [rows, 1], 'int32');
        try {
          return run({ inputIds: ids, logits: true });
        } finally {
          ids.dispose();
        }
      },
      dispose: () => cache.dispose(),
    };
  };
}
