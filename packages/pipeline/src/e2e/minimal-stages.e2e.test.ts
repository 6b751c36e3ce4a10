// END-TO-END (~10 s): docs/guides/minimal-stages.md runs as written — every stage swapped through its contract.
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@ocrm/core/test';
import { expect, it } from 'vitest';

it('the minimal implementation of every stage runs OCRM end to end', { timeout: 600_000 }, async () => {
  const guide = fileURLToPath(new URL('../../../../docs/guides/minimal-stages.md', import.meta.url));
  const entry = fileURLToPath(new URL('../index.ts', import.meta.url));
  const module = await runReadmeExample(guide, { selfName: '@ocrm/pipeline', srcEntry: entry });
  expect(module).toBeDefined();
});
