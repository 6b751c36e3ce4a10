import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@ocrm/core/test';
import { expect, it } from 'vitest';

it('the README example runs', async () => {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const src = fileURLToPath(new URL('./index.ts', import.meta.url));
  await expect(
    runReadmeExample(readme, { selfName: '@ocrm/pipeline', srcEntry: src }),
  ).resolves.toBeDefined();
});
