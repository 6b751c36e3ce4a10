/**
 * The key/value cache for incremental decoding.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Keys and values of every layer for the tokens seen so far, plus their attention mask.
 *
 * Immutable: `TransformerModel.forward({ cache })` returns a NEW cache holding the old and new tokens; the old one
 * stays valid until its owner disposes it (the usual loop: `const out = model.forward({ inputIds, cache });
 * cache.dispose(); cache = out.cache!`). The caller owns every cache it receives and must `dispose()` it.
 */
export class KvCache {
  /**
   * @param keys - per layer [B, kvHeads, S, headDim], or [heads, B, S, headDim] for models with a fused q/k/v
   *   projection (GPT-NeoX, GPT-2: the layout their attention computes in); empty array while nothing is cached
   * @param values - per layer, same layout as `keys`
   * @param mask - [B, S] float32, 1 = real token, 0 = padding
   * @param nextPosition - [B] int32, position id of the next real token (= real tokens seen so far)
   */
  constructor(
    readonly batchSize: number,
    readonly keys: tf.Tensor4D[],
    readonly values: tf.Tensor4D[],
    readonly mask: tf.Tensor2D,
    readonly nextPosition: tf.Tensor1D,
  ) {}

  /** Cached sequence length S (padding included). */
  get length(): number {
    return this.mask.shape[1];
  }

  /** True once `dispose()` ran. */
  get isDisposed(): boolean {
    return this.mask.isDisposed;
  }

  /** Frees every tensor of this cache. */
  dispose(): void {
    tf.dispose([...this.keys, ...this.values, this.mask, this.nextPosition]);
  }
}

/** An empty cache for `batchSize` sequences (pass it to the prefill `forward`). The caller owns it. */
export function createKvCache(batchSize: number): KvCache {
  return new KvCache(batchSize, [], [], tf.zeros([batchSize, 0]), tf.zeros([batchSize], 'int32'));
}
