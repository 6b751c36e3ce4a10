import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@ocrm/core/test';
import { expect, it } from 'vitest';

it('README example runs', async () => {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const module = await runReadmeExample(readme, {
    selfName: '@ocrm/policy-gradient',
    srcEntry: 'src/index.ts',
  });
  expect(module).toBeDefined();
});
