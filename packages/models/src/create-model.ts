/**
 * A randomly initialised model from a configuration.
 */
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, resolveModelConfig } from './config';
import { initParam } from './init';
import { TransformerModel } from './model';
import { paramLayout } from './param-layout';

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Seed of the initialisation (the same seed gives the same weights). */
  seed: number;
  /** Add the scalar `score.weight` head (default false). */
  scoreHead?: boolean;
  /** Add the LM head (default true; with tied embeddings the embedding is the head). */
  lmHead?: boolean;
  /** Whether `trainableVariables()` returns the weights (default true). */
  trainable?: boolean;
}

/**
 * Creates a model with seeded random weights (normal(0, `initializerRange`), zero biases, unit norms; score head
 * normal(0, 1/sqrt(H+1))). The caller owns the model and must `dispose()` it.
 * @example
 * const model = createModel(tinyModelConfig('qwen2'), { seed: 1 });
 */
export function createModel(config: ModelConfig, options: CreateModelOptions): TransformerModel {
  const resolved = resolveModelConfig(config);
  const specs = paramLayout(resolved, {
    lmHead: options.lmHead ?? true,
    scoreHead: options.scoreHead ?? false,
  });
  const params = new Map<string, tf.Variable>();
  for (const spec of specs) {
    const init = initParam(spec, resolved, options.seed);
    params.set(spec.key, tf.variable(init));
    init.dispose();
  }
  return new TransformerModel(resolved, params, { trainable: options.trainable ?? true });
}
