import * as tf from '@tensorflow/tfjs';
import { ContractError } from '../errors';

/** Options of {@link expectNoLeak}. */
export interface ExpectNoLeakOptions {
  /** Tensors that may remain (e.g. a cache the function builds on purpose). Default 0. */
  allow?: number;
  /** Name used in the failure message. */
  label?: string;
}

/** Disposes every tensor found in `value` (a tensor, or arrays / plain objects holding tensors, any depth). */
export function disposeTensorsIn(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) value.dispose();
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  const items = Array.isArray(value)
    ? value
    : value instanceof Map
      ? [...value.values()]
      : Object.values(value);
  for (const item of items) disposeTensorsIn(item, seen);
}

/**
 * Runs `fn` (sync or async) and checks that it left no tensors behind: `tf.memory().numTensors` after equals the
 * count before (plus `allow`). Tensors that `fn` RETURNS (alone, or inside arrays/objects such as `{ logProbs,
 * entropy }`) are the caller's by contract: they are disposed first, then the count is compared.
 *
 * @returns what `fn` returned; tensors in it are already disposed (check their values inside `fn`).
 * @throws ContractError (code `CONTRACT`) naming how many tensors leaked.
 * @example
 * await expectNoLeak(() => policy.logProbs(batch, { temperature: 1 }));
 */
export async function expectNoLeak<T>(
  fn: () => T | Promise<T>,
  options: ExpectNoLeakOptions = {},
): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  disposeTensorsIn(result);
  const after = tf.memory().numTensors;
  const leaked = after - before;
  if (leaked > (options.allow ?? 0)) {
    throw new ContractError(
      `${options.label ?? 'expectNoLeak'}: ${leaked} tensor(s) leaked (${before} before, ${after} after` +
        `${options.allow ? `, ${options.allow} allowed` : ''}).`,
      { hint: 'wrap intermediates in tf.tidy or dispose them; returned tensors are disposed by the check' },
    );
  }
  return result;
}
