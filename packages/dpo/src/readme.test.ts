import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@ocrm/core/test';
import { expect, it, vi } from 'vitest';

it('README example runs', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await runReadmeExample(fileURLToPath(new URL('../README.md', import.meta.url)), {
    selfName: '@ocrm/dpo',
    srcEntry: 'src/index.ts',
  });
  expect(log).toHaveBeenCalledWith('final', 1);
  log.mockRestore();
});
