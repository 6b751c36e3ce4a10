import { readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractFirstTsBlock, runReadmeExample } from './run-readme-example';

const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
const srcDir = fileURLToPath(new URL('..', import.meta.url));

describe('runReadmeExample', () => {
  it('runs the @ocrm/core README example against the sources', async () => {
    const mod = await runReadmeExample(readme, { selfName: '@ocrm/core', srcEntry: 'src/index.ts' });
    expect(Array.from((mod.batch as { ids: Int32Array }).ids)).toEqual([5, 6, 8, 2, 0, 7, 9, 0]);
    expect(mod.meanValue).toBeCloseTo(7 / 3, 6);
    expect([...(mod.order as number[])].sort()).toEqual([0, 1, 2, 3]);
    expect(mod.pairs).toEqual([{ id: 'p0', prompt: 'Hi', chosen: 'a', rejected: 'b' }]);
    const run = mod.run as { root: string; isDone(s: string): Promise<boolean> };
    expect(await run.isDone('pairs')).toBe(true);
    await rm(run.root, { recursive: true, force: true });
    expect((await readdir(srcDir)).filter((f) => f.startsWith('.readme-example'))).toEqual([]); // temp file removed
  });

  it('extracts the first ts block only', () => {
    expect(extractFirstTsBlock('a\n```sh\nnpm i\n```\n```ts\nconst a = 1;\n```\n```ts\nb\n```')).toBe(
      'const a = 1;\n',
    );
    expect(extractFirstTsBlock('no code')).toBeUndefined();
  });
});
