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
    // One column a method (rlhf, ocrm: seeds 1 and 2; dpo: seed 1), one row a metric with its unit.
    expect(html).toContain('<tr><th>Metric</th><th>rlhf</th><th>ocrm</th><th>dpo</th></tr>');
    expect(html).toContain('<tr><td>Seeds</td><td>1, 2</td><td>1, 2</td><td>1</td></tr>');
    expect(html).toMatch(
      /<tr><td>Win rate vs reference \(fraction\)<\/td><td>–<\/td><td>–<\/td><td>0\.55<\/td><\/tr>/,
    );
  } finally {
    await rm(dirname(reportPath as string), { recursive: true, force: true });
  }
});
