import type { TokenBatch } from '@ocrm/core';
import type * as tf from '@tensorflow/tfjs';

/**
 * Incremental decoding of one micro-batch: the prompt is prefilled once, then one token per row and step.
 * Implementations keep their KV cache; the returned logits tensors belong to the caller.
 */
export interface StepDecoder {
  /** Runs the prompt; returns the next-token logits `[b, V]` at the last prompt position. */
  prefill(): tf.Tensor2D;
  /** Feeds one token per row (`[b]`); returns the next-token logits `[b, V]`. */
  step(tokens: Int32Array): tf.Tensor2D;
  /** Frees the cache. */
  dispose(): void;
}

/** Makes a decoder for a prompt-only micro-batch (left-padded) that will generate up to `maxNewTokens` tokens. */
export type StepDecoderFactory = (prompts: TokenBatch, maxNewTokens: number) => StepDecoder;
