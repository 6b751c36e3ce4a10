import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';

/**
 * Accumulates gradients of micro-batches: `add(grads, weight)` sums `weight · grads` (weight = the micro-batch's
 * share, e.g. its rows or valid tokens); `take()` returns `Σ wᵢ gᵢ / Σ wᵢ` and resets. With equal weights this is
 * the plain average; with shares that sum to 1 it is the full-batch gradient.
 *
 * Owns its running sums (`dispose()` frees them); never disposes the gradients given to `add`.
 */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private totalWeight = 0;
  private count = 0;

  /** Micro-batches added since the last `take()`. */
  get size(): number {
    return this.count;
  }

  /** Adds `weight · grads` to the running sums (one `tf.tidy`). */
  add(grads: Record<string, tf.Tensor>, weight = 1): void {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new InvalidArgumentError(`GradientAccumulator.add: weight must be a number ≥ 0, got ${weight}.`);
    }
    for (const [name, grad] of Object.entries(grads)) {
      const sum = this.sums.get(name);
      if (sum && !tf.util.arraysEqual(sum.shape, grad.shape)) {
        throw new ShapeError(`GradientAccumulator.add: \`${name}\` was [${sum.shape}], now [${grad.shape}].`);
      }
    }
    tf.tidy(() => {
      // One float32 scalar for every gradient of this call (the value `tf.mul(grad, weight)` would make per call).
      const w = weight === 1 ? undefined : tf.scalar(weight);
      for (const [name, grad] of Object.entries(grads)) {
        const scaled = w ? tf.mul(grad, w) : grad;
        const previous = this.sums.get(name);
        const next = previous ? tf.add(previous, scaled) : scaled === grad ? tf.clone(grad) : scaled;
        this.sums.set(name, tf.keep(next));
        previous?.dispose();
      }
    });
    this.totalWeight += weight;
    this.count++;
  }

  /**
   * The weighted average of everything added since the last `take()`, then resets.
   * @returns new tensors by name, owned by the caller.
   * @throws InvalidArgumentError when nothing (or only weight 0) was added.
   */
  take(): Record<string, tf.Tensor> {
    if (this.count === 0 || this.totalWeight === 0) {
      throw new InvalidArgumentError('GradientAccumulator.take: no gradients (or only weight 0) were added.');
    }
    const out: Record<string, tf.Tensor> = {};
    const scale = 1 / this.totalWeight;
    const s = scale === 1 ? undefined : tf.scalar(scale);
    for (const [name, sum] of this.sums) {
      out[name] = s ? tf.mul(sum, s) : sum;
      if (s) sum.dispose();
    }
    s?.dispose();
    this.sums.clear();
    this.totalWeight = 0;
    this.count = 0;
    return out;
  }

  /** Drops the running sums. */
  dispose(): void {
    for (const sum of this.sums.values()) sum.dispose();
    this.sums.clear();
    this.totalWeight = 0;
    this.count = 0;
  }
}
