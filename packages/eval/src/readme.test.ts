import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@ocrm/core/test';
import { expect, it } from 'vitest';

it('README example runs and writes a report', async () => {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const { reportPath } = await runReadmeExample(readme, { selfName: '@ocrm/eval', srcEntry: 'src/index.ts' });
  try {
    const html = await readFile(reportPath as string, 'utf8');
    expect(html).toContain('<td>dpo</td><td>1</td>');
  } finally {
    await rm(dirname(reportPath as string), { recursive: true, force: true });
  }
});
