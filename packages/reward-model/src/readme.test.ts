import { runReadmeExample } from '@ocrm/core/test';
import { expect, it } from 'vitest';

it('the README example runs', async () => {
  const readme = new URL('../README.md', import.meta.url).pathname;
  await expect(
    runReadmeExample(readme, { selfName: '@ocrm/reward-model', srcEntry: 'src/index.ts' }),
  ).resolves.toBeDefined();
});
