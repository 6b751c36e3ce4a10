import { runReadmeExample } from '@ocrm/core/test';
import { expect, it } from 'vitest';

it('README example runs', async () => {
  const readme = new URL('../README.md', import.meta.url).pathname;
  await expect(
    runReadmeExample(readme, { selfName: '@ocrm/models', srcEntry: 'src/index.ts' }),
  ).resolves.toBeDefined();
});
