/**
 * Conversion of single weights between the Hugging Face layout and the internal one ({@link ParamTransform}).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import type { ParamSpec } from './param-layout';

/**
 * Converts a tensor read from a Hugging Face checkpoint (shape `spec.hfShape`) to the internal layout
 * (`spec.shape`). Returns a new tensor owned by the caller; `hf` is not disposed.
 */
export function hfToInternal(spec: ParamSpec, hf: tf.Tensor, config: ModelConfig): tf.Tensor {
  return materialize(convertIn(spec, hf, config));
}

/**
 * A copy with its own data buffer. tfjs-wasm's fused matmul checks the rank of the buffer's ORIGINAL shape, so a
 * bias that is a reshape of a rank-3 transpose fails there; weights are therefore stored in fresh buffers.
 */
function materialize(t: tf.Tensor): tf.Tensor {
  const out = tf.tensor(t.dataSync(), t.shape, t.dtype);
  t.dispose();
  return out;
}

function convertIn(spec: ParamSpec, hf: tf.Tensor, config: ModelConfig): tf.Tensor {
  return tf.tidy(() => {
    const nH = config.numHeads;
    const hd = config.headDim;
    switch (spec.transform) {
      case 'none':
        return hf.clone();
      case 'transpose':
        return hf.transpose();
      case 'neox-qkv-weight': {
        // [nH, 3, hd, in] → [3, nH, hd, in] → [3H, in] → [in, 3H]
        const inDim = hf.shape[1] as number;
        return hf
          .reshape([nH, 3, hd, inDim])
          .transpose([1, 0, 2, 3])
          .reshape([3 * nH * hd, inDim])
          .transpose();
      }
      case 'neox-qkv-bias':
        return hf
          .reshape([nH, 3, hd])
          .transpose([1, 0, 2])
          .reshape([3 * nH * hd]);
    }
  });
}

/** Inverse of {@link hfToInternal}: internal layout → Hugging Face layout. Returns a new tensor. */
export function internalToHf(spec: ParamSpec, internal: tf.Tensor, config: ModelConfig): tf.Tensor {
  return tf.tidy(() => {
    const nH = config.numHeads;
    const hd = config.headDim;
    switch (spec.transform) {
      case 'none':
        return internal.clone();
      case 'transpose':
        return internal.transpose();
      case 'neox-qkv-weight': {
        const inDim = internal.shape[0] as number;
        return internal
          .transpose()
          .reshape([3, nH, hd, inDim])
          .transpose([1, 0, 2, 3])
          .reshape([3 * nH * hd, inDim]);
      }
      case 'neox-qkv-bias':
        return internal
          .reshape([3, nH, hd])
          .transpose([1, 0, 2])
          .reshape([3 * nH * hd]);
    }
  });
}
