/**
 * Seeded initialisation of parameters (the scheme of transformers' `_init_weights`).
 */
import { rng } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import type { ParamSpec } from './param-layout';

/** RNG stream of model initialisation (see `rng(seed, stream, step)` in @ocrm/core). */
export const INIT_STREAM = 2;

function hashKey(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * A freshly initialised tensor for `spec` (internal layout), reproducible from `seed` and the parameter's key alone:
 * normal(0, initializerRange) for matrices and embeddings, divided by `sqrt(2 * numLayers)` for GPT-2's residual
 * projections; zeros for biases; ones for norm weights; normal(0, 1/sqrt(H + 1)) for the score head.
 * The caller owns the result.
 */
export function initParam(spec: ParamSpec, config: ModelConfig, seed: number): tf.Tensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  switch (spec.init) {
    case 'zeros':
      return tf.zeros(spec.shape);
    case 'ones':
      return tf.ones(spec.shape);
    default: {
      const std =
        spec.init === 'score'
          ? 1 / Math.sqrt(config.hiddenSize + 1)
          : spec.init === 'normal-residual'
            ? config.initializerRange / Math.sqrt(2 * config.numLayers)
            : config.initializerRange;
      const normals = rng(seed, INIT_STREAM, hashKey(spec.key)).normals(size);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = normals[i] * std;
      return tf.tensor(data, spec.shape);
    }
  }
}
