// END-TO-END (~30 s): `ocrm run --threads 2` (tfjs-wasm's threaded build, two XNNPACK threads) writes the bytes of the
// one-thread run. Needs the built CLI (turbo builds it before this package's tests).
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, ocrm } from './test-support/built-cli';

describe.skipIf(!builtCli())('e2e: ocrm run --threads 2 gives the numbers of one thread', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every weight, pair, label and metric byte for byte, and says how many threads ran', {
    timeout: 300_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-threads-'));
    const run = (out: string, extra: string[], env?: Record<string, string>) =>
      ocrm(['run', '--preset', 'smoke', '--out', join(dir, out), '--backend', 'wasm', ...extra], env);
    const one = run('one', ['--quiet']);
    expect(one.status, one.output).toBe(0);
    // The pthread worker script goes to a private temporary directory, removed when the process ends.
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const two = run('two', ['--threads', '2'], { TMPDIR: tmp });
    expect(two.status, two.output).toBe(0);
    expect(two.output).toMatch(/ocrm: backend wasm, 2 threads/);
    expect(await readdir(tmp)).toEqual([]);
    // The environment variable overrides the flag (here: back to the one-thread build).
    const env = run('env', ['--threads', '2'], { OCRM_WASM_THREADS: '1' });
    expect(env.status, env.output).toBe(0);
    expect(env.output).toMatch(/ocrm: backend wasm\n/);
    for (const file of [
      'sft/model/model.safetensors',
      'pairs/pairs.jsonl',
      'labels/pairs.jsonl',
      'rm-1/model/model.safetensors',
      'ppo-1/policy/model.safetensors',
      'weights-2/weights.jsonl',
      'rm-2/model/model.safetensors',
      'ppo-2/policy/model.safetensors',
      'eval/results.json',
    ]) {
      const a = await readFile(join(dir, 'one', file));
      expect((await readFile(join(dir, 'two', file))).equals(a), file).toBe(true);
    }
  });
});
