import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPairs } from './pair-records';

const good = {
  id: 'p0',
  prompt: 'x',
  chosen: 'a',
  rejected: 'b',
  promptIds: [1, 2],
  chosenIds: [3, 0],
  rejectedIds: [4, 0],
  goldChosen: 0.5,
  goldRejected: 0.1,
};

describe('readPairs', () => {
  it('reads valid pairs and names file, line and field of a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-pairs-'));
    const file = join(dir, 'pairs.jsonl');
    await writeFile(file, `${JSON.stringify(good)}\n`);
    expect(await readPairs(file)).toEqual([good]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, chosenIds: [3, 1.5] }, /pairs\.jsonl, line 2, field `chosenIds\.1`/],
      [{ ...good, chosenIds: undefined }, /line 2, field `chosenIds`/],
      [{ ...good, rejectedIds: [] }, /line 2, field `rejectedIds`/],
      [{ ...good, goldChosen: 'high' }, /line 2, field `goldChosen`/],
    ];
    for (const [bad, message] of cases) {
      await writeFile(file, `${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`);
      await expect(readPairs(file)).rejects.toThrow(message);
    }
  });
});
