/** Paths and helpers shared by this package's tests (not exported from the package). */
import { join } from 'node:path';
import { readSafetensors, type SafetensorsTensor } from '@ocrm/core';

/** The Hugging Face reference fixtures copied into the repository. */
export const FIXTURES = join(import.meta.dirname, '../../../../fixtures/hf-tiny-reference');

/** Reads `<model>/expected.safetensors`. */
export function readExpected(model: string): Promise<Record<string, SafetensorsTensor>> {
  return readSafetensors(join(FIXTURES, model, 'expected.safetensors'));
}

/** Nested rows of a [R, C] host tensor. */
export function rows(t: SafetensorsTensor): number[][] {
  const [r, c] = t.shape;
  return Array.from({ length: r }, (_, i) => Array.from(t.data.subarray(i * c, (i + 1) * c) as Int32Array));
}
