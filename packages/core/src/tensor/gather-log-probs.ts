import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, ShapeError } from '../errors';

/** Default vocabulary chunk of {@link gatherLogProbs} and {@link logSumExpChunked}. */
export const DEFAULT_VOCAB_CHUNK = 8192;

/**
 * Default `fusedMaxElements` of {@link gatherLogProbs}: logits of up to 32 Mi floats (128 MiB) take the fused path
 * when the vocabulary is larger than the chunk.
 */
export const DEFAULT_FUSED_MAX_ELEMENTS = 1 << 25;

/** Options of {@link gatherLogProbs}. */
export interface GatherLogProbsOptions {
  /** Logits are divided by it before the softmax (> 0). Default 1. */
  temperature?: number;
  /** Vocabulary entries processed at once; bounds the `[B·T, chunk]` temporaries. Default 8192. */
  chunkSize?: number;
  /**
   * When the vocabulary exceeds `chunkSize` but the logits hold at most this many elements, one fused op computes
   * the log-probs without vocabulary slices (whose copies and gradient pads dominate on wasm for a 50k vocabulary),
   * with the analytic gradient `(onehot − softmax) / τ`. 0 = always chunk. Default {@link DEFAULT_FUSED_MAX_ELEMENTS}.
   */
  fusedMaxElements?: number;
}

function resolve(logits: tf.Tensor, options: GatherLogProbsOptions): { temperature: number; chunk: number } {
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError(`temperature must be a finite number > 0, got ${temperature}.`);
  }
  const chunk = options.chunkSize ?? DEFAULT_VOCAB_CHUNK;
  if (!Number.isSafeInteger(chunk) || chunk < 1) {
    throw new InvalidArgumentError(`chunkSize must be a positive integer, got ${chunk}.`);
  }
  if (logits.rank < 1) throw new ShapeError('logits must have a vocabulary axis.');
  return { temperature, chunk };
}

/** Vocabulary slices `[N, c]` of 2-D logits, divided by the temperature. */
function chunkOf(flat: tf.Tensor2D, start: number, size: number, temperature: number): tf.Tensor2D {
  const slice = flat.shape[1] === size ? flat : tf.slice(flat, [0, start], [-1, size]);
  return temperature === 1 ? slice : tf.div(slice, temperature);
}

/** logsumexp over the last axis of 2-D `[N, V]`, chunk by chunk. Returns `[N]`. */
function lseFlat(flat: tf.Tensor2D, temperature: number, chunk: number): tf.Tensor1D {
  const V = flat.shape[1];
  if (V <= chunk) return tf.logSumExp(chunkOf(flat, 0, V, temperature), 1) as tf.Tensor1D;
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < V; start += chunk) {
    const size = Math.min(chunk, V - start);
    parts.push(tf.tidy(() => tf.logSumExp(chunkOf(flat, start, size, temperature), 1, true)));
  }
  return tf.logSumExp(tf.concat(parts, 1), 1) as tf.Tensor1D;
}

/**
 * logsumexp of `logits / temperature` over the last (vocabulary) axis, in vocabulary chunks.
 * @param logits - `[..., V]` float32.
 * @returns a new tensor `[...]` (differentiable); the caller disposes it.
 */
export function logSumExpChunked(logits: tf.Tensor, options: GatherLogProbsOptions = {}): tf.Tensor {
  const { temperature, chunk } = resolve(logits, options);
  return tf.tidy(() => {
    const V = logits.shape[logits.rank - 1] as number;
    const lse = lseFlat(tf.reshape(logits, [-1, V]) as tf.Tensor2D, temperature, chunk);
    return tf.reshape(lse, logits.shape.slice(0, -1));
  });
}

/**
 * log-softmax of `logits / temperature` over the last axis, with the normaliser computed in vocabulary chunks (the
 * output is a full `[..., V]` tensor; prefer {@link gatherLogProbs} when only the taken ids are needed).
 * @returns a new tensor shaped like `logits`; the caller disposes it.
 */
export function logSoftmaxChunked(logits: tf.Tensor, options: GatherLogProbsOptions = {}): tf.Tensor {
  const { temperature } = resolve(logits, options);
  return tf.tidy(() => {
    const lse = tf.expandDims(logSumExpChunked(logits, options), -1);
    return tf.sub(temperature === 1 ? logits : tf.div(logits, temperature), lse);
  });
}

/**
 * Log-probability of the given ids under `softmax(logits / temperature)`:
 * `out[b, t] = logits[b, t, ids[b, t]] / τ − logsumexp_v(logits[b, t, v] / τ)`, computed in vocabulary chunks
 * without a full log-softmax copy; the taken logits are picked with a per-chunk one-hot product (built by comparison) (no `gather`, so
 * its gradient needs no `UnsortedSegmentSum`). Differentiable with respect to `logits`.
 *
 * @param logits - `[B, T, V]` (or `[N, V]`) float32.
 * @param ids - `[B, T]` (or `[N]`) int32, values in [0, V).
 * @returns a new tensor `[B, T]` (or `[N]`); the caller disposes it.
 */
export function gatherLogProbs(
  logits: tf.Tensor,
  ids: tf.Tensor,
  options: GatherLogProbsOptions = {},
): tf.Tensor {
  const { temperature, chunk } = resolve(logits, options);
  const V = logits.shape[logits.rank - 1] as number;
  if (!tf.util.arraysEqual(logits.shape.slice(0, -1), ids.shape)) {
    throw new ShapeError(
      `gatherLogProbs: ids shape [${ids.shape}] must equal logits shape without V [${logits.shape}].`,
    );
  }
  const fusedMax = options.fusedMaxElements ?? DEFAULT_FUSED_MAX_ELEMENTS;
  return tf.tidy(() => {
    const flat = tf.reshape(logits, [-1, V]) as tf.Tensor2D;
    const flatIds = tf.reshape(ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32'), [-1]) as tf.Tensor1D;
    if (V > chunk) {
      // A large vocabulary: one differentiable op with an analytic gradient. Autodiff through vocabulary slices would
      // pad every slice's gradient to the full [N, V] (chunks × N × V floats at once: out of memory on wasm).
      const op =
        flat.size <= fusedMax
          ? fusedLogProbs(flat, flatIds, temperature)
          : chunkedLogProbs(flat, flatIds, temperature, chunk);
      return tf.reshape(op, ids.shape);
    }
    // One chunk holds the vocabulary: the taken logit by a one-hot product (built by comparison: tf.oneHot needs
    // depth ≥ 2 and ignores a float dtype on wasm, tfjs 4.22).
    const vocab = tf.range(0, V, 1, 'int32').reshape([1, V]);
    const oneHot = tf.cast(tf.equal(tf.reshape(flatIds, [-1, 1]), vocab), 'float32');
    const taken = tf.sum(tf.mul(chunkOf(flat, 0, V, temperature), oneHot), 1);
    return tf.reshape(tf.sub(taken, lseFlat(flat, temperature, chunk)), ids.shape);
  });
}

/**
 * {@link fusedLogProbs} for logits too large for its one-pass temporaries: the logsumexp in vocabulary chunks, the
 * taken logits by a flat `gather`, and the gradient `dy·(onehot − softmax)/τ` built chunk by chunk (about two `[N, V]`
 * tensors at its peak: the chunks and their concatenation).
 */
function chunkedLogProbs(
  flat: tf.Tensor2D,
  flatIds: tf.Tensor1D,
  temperature: number,
  chunk: number,
): tf.Tensor1D {
  const [N, V] = flat.shape;
  const op = tf.customGrad((x, save) => {
    const logits = x as tf.Tensor2D;
    const lse = lseFlat(logits, temperature, chunk);
    const index = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), flatIds);
    const picked = tf.gather(tf.reshape(logits, [-1]), index);
    (save as tf.GradSaveFunc)([logits, lse, flatIds]);
    return {
      value: tf.sub(temperature === 1 ? picked : tf.div(picked, temperature), lse),
      gradFunc: (dy, saved) => {
        const [sx, slse, sids] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const scale = tf.reshape(temperature === 1 ? dy : tf.div(dy as tf.Tensor, temperature), [N, 1]);
        const column = tf.reshape(sids, [-1, 1]);
        const parts: tf.Tensor[] = [];
        for (let start = 0; start < V; start += chunk) {
          const size = Math.min(chunk, V - start);
          parts.push(
            tf.tidy(() => {
              const softmax = tf.exp(tf.sub(chunkOf(sx, start, size, temperature), tf.reshape(slse, [N, 1])));
              const vocab = tf.range(start, start + size, 1, 'int32').reshape([1, size]);
              const oneHot = tf.cast(tf.equal(column, vocab), 'float32');
              return tf.mul(tf.sub(oneHot, softmax), scale);
            }),
          );
        }
        const grad = tf.concat(parts, 1);
        tf.dispose([...parts, scale, column]);
        return grad;
      },
    };
  });
  return op(flat) as tf.Tensor1D;
}

/**
 * `log softmax(x / τ)[n, ids[n]]` for 2-D logits `[N, V]` as one differentiable op: forward `x[n, id]/τ − lse_n`
 * (one logsumexp over the whole row, the taken logits by a flat `gather`), gradient `dy·(onehot − softmax)/τ`.
 * Temporaries: about two `[N, V]` tensors in the backward pass.
 */
function fusedLogProbs(flat: tf.Tensor2D, flatIds: tf.Tensor1D, temperature: number): tf.Tensor1D {
  const [N, V] = flat.shape;
  const op = tf.customGrad((x, save) => {
    const logits = x as tf.Tensor2D;
    const scaled = temperature === 1 ? logits : tf.div(logits, temperature);
    const lse = tf.logSumExp(scaled, 1) as tf.Tensor1D;
    const index = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), flatIds);
    const picked = tf.gather(tf.reshape(scaled, [-1]), index);
    (save as tf.GradSaveFunc)([logits, lse, flatIds]);
    return {
      value: tf.sub(picked, lse),
      gradFunc: (dy, saved) => {
        const [sx, slse, sids] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        return tf.tidy(() => {
          const z = temperature === 1 ? sx : tf.div(sx, temperature);
          const softmax = tf.exp(tf.sub(z, tf.reshape(slse, [N, 1])));
          // int32 then cast: tfjs-wasm's OneHot writes int32 data whatever the requested dtype (tfjs 4.22)
          const oneHot = tf.cast(tf.oneHot(sids, V), 'float32');
          const scale = tf.reshape(temperature === 1 ? dy : tf.div(dy as tf.Tensor, temperature), [N, 1]);
          return tf.mul(tf.sub(oneHot, softmax), scale);
        });
      },
    };
  });
  return op(flat) as tf.Tensor1D;
}
