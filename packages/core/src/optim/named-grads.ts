import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '../contracts/index';

/**
 * Value and gradients of a scalar loss with respect to named variables, keyed by the SAME names (tf's
 * `variableGrads` keys gradients by the variables' internal names). A variable the loss does not reach gets no entry.
 *
 * @param loss - builds the scalar loss; run inside `tf.variableGrads`, so its intermediates are disposed.
 * @returns the loss value `[]` and one gradient per reached variable (its variable's shape); the caller owns all.
 * @example
 * const { value, grads } = namedGrads(model.trainableVariables(), () => loss(model, batch));
 * accumulator.add(grads, 1);
 * tf.dispose([value, ...Object.values(grads)]);
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
