import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@ocrm/core/test';
import { it } from 'vitest';

it('the README example runs', async () => {
  await runReadmeExample(fileURLToPath(new URL('../README.md', import.meta.url)), {
    selfName: '@ocrm/data',
    srcEntry: 'src/index.ts',
  });
});
