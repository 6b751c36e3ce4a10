import * as tf from '@tensorflow/tfjs';
import { sliceBatch } from '../batch/slice-batch';
import type { Policy } from '../contracts/policy';
import { responseLength, type TokenBatch } from '../contracts/token-batch';
import { InvalidArgumentError, ShapeError, throwIfAborted } from '../errors';

/** Options of {@link computeLogProbs}. */
export interface ComputeLogProbsOptions {
  /** Logits are divided by it before the softmax (> 0). */
  temperature: number;
  /** Rows per forward pass (bounds memory). Default 16. */
  microBatchSize?: number;
  /** Checked between micro-batches. */
  signal?: AbortSignal;
}

/** Host log-probs of a batch's responses. */
export interface HostLogProbs {
  /** `[B, T_resp]` per response token log-prob, 0 at masked positions. */
  tokenLogProbs: Float32Array;
  /** `[B]` sums of `tokenLogProbs` over the response mask, accumulated in float64. */
  sums: Float64Array;
}

/**
 * Per-token response log-probs of `policy` on `batch`, on the host and without gradients: micro-batches of
 * `microBatchSize` rows go through `policy.logProbs` one `tf.tidy` each, so memory stays bounded.
 * @returns new host arrays owned by the caller; no tensor outlives the call.
 */
export async function computeLogProbs(
  policy: Policy,
  batch: TokenBatch,
  options: ComputeLogProbsOptions,
): Promise<HostLogProbs> {
  const micro = options.microBatchSize ?? 16;
  if (!Number.isSafeInteger(micro) || micro < 1) {
    throw new InvalidArgumentError(
      `computeLogProbs: microBatchSize must be a positive integer, got ${micro}.`,
    );
  }
  const B = batch.batchSize;
  const R = responseLength(batch);
  const tokenLogProbs = new Float32Array(B * R);
  const sums = new Float64Array(B);
  for (let start = 0; start < B; start += micro) {
    throwIfAborted(options.signal);
    const part = sliceBatch(batch, start, start + micro);
    const logProbs = tf.tidy(() => {
      const out = policy.logProbs(part, { temperature: options.temperature });
      out.entropy?.dispose();
      return out.logProbs;
    });
    let values: Float32Array;
    try {
      if (!tf.util.arraysEqual(logProbs.shape, [part.batchSize, R])) {
        throw new ShapeError(
          `computeLogProbs: policy.logProbs returned [${logProbs.shape}], expected [${part.batchSize}, ${R}].`,
        );
      }
      values = (await logProbs.data()) as Float32Array;
    } finally {
      logProbs.dispose();
    }
    for (let b = 0; b < part.batchSize; b++) {
      let sum = 0;
      for (let t = 0; t < R; t++) {
        const valid = part.mask[b * part.seqLength + part.promptLength + t] !== 0;
        const value = valid ? (values[b * R + t] as number) : 0;
        tokenLogProbs[(start + b) * R + t] = value;
        sum += value;
      }
      sums[start + b] = sum;
    }
  }
  return { tokenLogProbs, sums };
}
