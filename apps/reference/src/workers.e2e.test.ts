// END-TO-END (~20 s): `ocrm run --workers 1` (data-parallel sft, rm and ppo stages in a worker thread) writes the bytes of
// the one-thread run with the same micro-batches, and refuses workers that could compute nothing before it writes
// anything. Needs the built CLI (turbo builds it before this package's tests).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, ocrm } from './test-support/built-cli';

describe.skipIf(!builtCli())('e2e: ocrm run --workers', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const micro = [
    ...['--set', 'sft.microBatchSize=16', '--set', 'rewardModel.microBatchSize=8'],
    ...['--set', 'ppo.microBatchSize=4'],
  ];
  const run = (out: string, extra: string[]) =>
    ocrm(['run', '--preset', 'smoke', '--out', join(dir, out), '--backend', 'wasm', ...extra]);

  it('gives every model and metric of one thread with the same micro-batches, and says so', {
    timeout: 300_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-workers-'));
    const one = run('one', ['--quiet', ...micro]);
    expect(one.status, one.output).toBe(0);
    const two = run('two', ['--workers', '1', ...micro]);
    expect(two.status, two.output).toBe(0);
    expect(two.output).toMatch(/ocrm: backend wasm, 1 data-parallel worker\n/);
    for (const file of [
      'sft/model/model.safetensors',
      'rm-1/model/model.safetensors',
      'ppo-1/policy/model.safetensors',
      'rm-2/model/model.safetensors',
      'ppo-2/policy/model.safetensors',
      'eval/results.json',
    ]) {
      const a = await readFile(join(dir, 'one', file));
      expect((await readFile(join(dir, 'two', file))).equals(a), file).toBe(true);
    }
  });

  it('exits 2 naming the fields when no stage could use the workers, before creating the run directory', () => {
    const bad = run('bad', ['--workers', '1']);
    expect(bad.status, bad.output).toBe(2);
    expect(bad.output).toMatch(/sft\.microBatchSize/);
    expect(bad.output).toMatch(/rewardModel\.microBatchSize/);
    expect(bad.output).toMatch(/ppo\.microBatchSize/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});
