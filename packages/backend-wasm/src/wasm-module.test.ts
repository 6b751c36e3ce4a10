import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS_SOURCE_SHA256 } from './kernels-wasm';

describe('the fused kernels module', () => {
  it('embeds the module compiled from the committed C source (npm run build:wasm -w @ocrm/backend-wasm)', () => {
    const source = readFileSync(new URL('../wasm/kernels.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
  });
});
