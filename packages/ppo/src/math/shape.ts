import { ShapeError } from '@ocrm/core';

/**
 * Checks that row-major host arrays hold `[B, T]` elements and returns `T`.
 * @internal
 */
export function rowLength(fn: string, batchSize: number, arrays: Record<string, ArrayLike<number>>): number {
  const entries = Object.entries(arrays);
  const first = entries[0];
  if (first === undefined) throw new ShapeError(`${fn}: no arrays given.`);
  const size = first[1].length;
  if (batchSize <= 0 || size % batchSize !== 0) {
    throw new ShapeError(
      `${fn}: \`${first[0]}\` has ${size} elements, not a multiple of batch size ${batchSize}.`,
    );
  }
  for (const [name, array] of entries) {
    if (array.length !== size) {
      throw new ShapeError(`${fn}: \`${name}\` has ${array.length} elements, \`${first[0]}\` has ${size}.`);
    }
  }
  return size / batchSize;
}
