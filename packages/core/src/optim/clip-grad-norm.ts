import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors';

/** Result of {@link clipGradNorm}. */
export interface ClippedGrads {
  /** New gradient tensors by name (clipped or copied), owned by the caller. */
  grads: Record<string, tf.Tensor>;
  /** Global L2 norm of the gradients BEFORE clipping, `√(Σ‖g‖²)` (log it as `grad/norm`). */
  norm: number;
}

/**
 * Scales all gradients together so their global L2 norm is at most `maxNorm`, as PyTorch's `clip_grad_norm_`:
 * factor `min(1, maxNorm / (norm + 1e-6))`. `maxNorm = Infinity` only measures the norm. Reads the norm back to the
 * host (one sync). Inputs are not disposed.
 */
export function clipGradNorm(grads: Record<string, tf.Tensor>, maxNorm: number): ClippedGrads {
  if (!(maxNorm > 0)) throw new InvalidArgumentError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}.`);
  const names = Object.keys(grads);
  const norm =
    names.length === 0
      ? 0
      : Math.sqrt(
          tf.tidy(
            () =>
              tf
                .addN(names.map((name) => tf.sum(tf.square(grads[name] as tf.Tensor))))
                .dataSync()[0] as number,
          ),
        );
  const factor = Math.min(1, maxNorm / (norm + 1e-6));
  const out: Record<string, tf.Tensor> = {};
  for (const name of names) {
    const grad = grads[name] as tf.Tensor;
    out[name] = factor < 1 ? tf.tidy(() => tf.mul(grad, factor)) : tf.clone(grad);
  }
  return { grads: out, norm };
}
