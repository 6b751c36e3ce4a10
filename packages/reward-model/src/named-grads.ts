import type { NamedVariables } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Value and gradients of a scalar loss with respect to named variables, keyed by the SAME names (tf's
 * `variableGrads` keys gradients by the variables' internal names). The caller owns `value` and every gradient.
 */
export function namedGrads(
  variables: NamedVariables,
  loss: () => tf.Scalar,
): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const entries = Object.entries(variables);
  const { value, grads } = tf.variableGrads(
    loss,
    entries.map(([, v]) => v),
  );
  const out: Record<string, tf.Tensor> = {};
  for (const [name, variable] of entries) {
    const grad = grads[variable.name];
    if (grad) out[name] = grad;
  }
  return { value, grads: out };
}
