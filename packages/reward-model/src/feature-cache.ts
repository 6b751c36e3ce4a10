import { InvalidArgumentError, selectBatchRows, type TokenBatch } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Per-row features of a frozen backbone, computed once per distinct sequence and kept on the host: the reward
 * model's `score` for a trainable head on a frozen backbone is `features · w`, so after the first epoch (or the first
 * time a response is seen) no forward through the backbone is needed. Keyed by the row's valid token ids, so the same
 * response in another batch (other padding) hits the cache. Memory: `4·H` bytes per distinct row.
 */
export class FeatureCache {
  private readonly rows = new Map<string, Float32Array>();

  constructor(
    /** Feature size H. */
    readonly size: number,
  ) {}

  /** Distinct rows cached. */
  get count(): number {
    return this.rows.size;
  }

  /**
   * `[B, H]` features of `batch`'s rows (a new tensor the caller owns); rows not cached yet are computed together
   * by `compute` (given a batch of only those rows, it returns their `[b, H]` features; its tensor is disposed here).
   */
  features(batch: TokenBatch, compute: (missing: TokenBatch) => tf.Tensor2D): tf.Tensor2D {
    const B = batch.batchSize;
    const H = this.size;
    const keys = Array.from({ length: B }, (_, b) => rowKey(batch, b));
    const missing: number[] = [];
    const seen = new Set<string>();
    keys.forEach((key, b) => {
      if (!this.rows.has(key) && !seen.has(key)) {
        seen.add(key);
        missing.push(b);
      }
    });
    if (missing.length > 0) {
      const sub = selectBatchRows(batch, missing);
      const out = compute(sub);
      const data = out.dataSync() as Float32Array;
      out.dispose();
      missing.forEach((b, j) => {
        this.rows.set(keys[b]!, data.slice(j * H, (j + 1) * H));
      });
    }
    const all = new Float32Array(B * H);
    keys.forEach((key, b) => {
      all.set(this.rows.get(key)!, b * H);
    });
    return tf.tensor2d(all, [B, H]);
  }

  /** Every cached row as `[key, features]` (insertion order). The arrays are the cache's own: do not modify them. */
  entries(): IterableIterator<[string, Float32Array]> {
    return this.rows.entries();
  }

  /**
   * Adds a row computed elsewhere (e.g. read back by `readFeatureCache`).
   * @throws InvalidArgumentError when `features` is not `size` long.
   */
  add(key: string, features: Float32Array): void {
    if (features.length !== this.size)
      throw new InvalidArgumentError(
        `FeatureCache.add: ${features.length} features, the cache holds ${this.size}.`,
      );
    this.rows.set(key, features);
  }

  /** Forgets every row. */
  clear(): void {
    this.rows.clear();
  }
}

/** The valid ids of row b, with the prompt/response boundary (the same ids split differently are different rows). */
function rowKey(batch: TokenBatch, b: number): string {
  const { seqLength: T, promptLength: P } = batch;
  const parts: number[] = [];
  for (let t = 0; t < T; t++) {
    if (t === P) parts.push(-1);
    if (batch.mask[b * T + t]) parts.push(batch.ids[b * T + t]!);
  }
  return parts.join(',');
}
