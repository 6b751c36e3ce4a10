// END-TO-END (~40 s): `ocrm run --shards 3` on this machine (shards in child processes of the CLI) against the same
// run unsharded. Needs the built CLI (turbo builds it before this package's tests).
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OcrmError, readJson } from '@ocrm/core';
import { parsePipelineConfig } from '@ocrm/pipeline';
import { afterAll, describe, expect, it } from 'vitest';
import { localShardRunner } from './local-shards';
import { builtCli, ocrm } from './test-support/built-cli';

describe.skipIf(!builtCli())('e2e: ocrm run --shards n runs the data-parallel stages in n processes', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the outputs of the unsharded run, byte for byte', { timeout: 300_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-local-shards-'));
    const run = (out: string, extra: string[]) =>
      ocrm(['run', '--preset', 'smoke', '--out', join(dir, out), '--backend', 'wasm', '--quiet', ...extra]);
    const plain = run('plain', []);
    expect(plain.status, plain.output).toBe(0);
    const sharded = run('sharded', ['--shards', '3']);
    expect(sharded.status, sharded.output).toBe(0);

    // Every shard of every data-parallel stage was written by its own process (shard 0 by the run itself); the labels
    // were scored whole (the digest judge is inexpensive: no shard process was worth starting).
    expect(existsSync(join(dir, 'sharded', 'labels', 'shards'))).toBe(false);
    for (const stage of ['pairs', 'weights-2', 'eval']) {
      const root = join(dir, 'sharded', stage, 'shards');
      const [hash] = await readdir(root);
      const files = (await readdir(join(root, hash!))).sort();
      expect(
        files.map((f) => f.replace(/\.jsonl?$/, '')),
        stage,
      ).toEqual(['0-of-3', '1-of-3', '2-of-3']);
    }
    for (const file of [
      'pairs/pairs.jsonl',
      'labels/pairs.jsonl',
      'weights-2/weights.jsonl',
      'rm-2/model/model.safetensors',
      'ppo-2/policy/model.safetensors',
      'eval/results.json',
    ]) {
      const [a, b] = await Promise.all([
        readFile(join(dir, 'plain', file)),
        readFile(join(dir, 'sharded', file)),
      ]);
      expect(b.equals(a), file).toBe(true);
    }
  });

  // The runner alone, on the finished plain run, with a stand-in for the CLI: which processes it starts, with what.
  const standIn = async (name: string, body: string) => {
    const file = join(dir, name);
    await writeFile(file, body);
    return file;
  };
  const plainConfig = async () => parsePipelineConfig(await readJson(join(dir, 'plain', 'config.json')));

  it('computes shard 0 here and starts `ocrm stage <run> <stage> --shard i/n` for the others, one thread each', async () => {
    const marker = join(dir, 'started.txt');
    const entry = await standIn(
      'ok.mjs',
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, process.argv.slice(2).join(' ') + ' threads=' + process.env.OCRM_WASM_THREADS + '\\n');\n`,
    );
    const saved = process.env.OCRM_WASM_THREADS;
    process.env.OCRM_WASM_THREADS = '2';
    try {
      await localShardRunner(await plainConfig(), join(dir, 'plain'), entry)('eval', 3);
    } finally {
      if (saved === undefined) delete process.env.OCRM_WASM_THREADS;
      else process.env.OCRM_WASM_THREADS = saved;
    }
    const started = (await readFile(marker, 'utf8')).trim().split('\n').sort();
    const run = join(dir, 'plain');
    expect(started).toEqual([
      `stage ${run} eval --shard 1/3 --quiet threads=1`,
      `stage ${run} eval --shard 2/3 --quiet threads=1`,
    ]);
    const root = join(run, 'eval', 'shards');
    const [hash] = await readdir(root);
    expect(await readdir(join(root, hash!))).toEqual(['0-of-3.json']);
  });

  it("fails with EXECUTOR naming the shard, the stage and the child's stderr when a child fails", async () => {
    const entry = await standIn(
      'fail.mjs',
      "process.stderr.write('boom: no such thing');\nprocess.exit(3);\n",
    );
    const error = await localShardRunner(
      await plainConfig(),
      join(dir, 'plain'),
      entry,
    )('eval', 2).catch((e: unknown) => e);
    expect(OcrmError.isInstance(error) && error.code).toBe('EXECUTOR');
    expect((error as Error).message).toMatch(
      /shard 1\/2 of stage eval failed: .*exited with code 3:\nboom: no such thing/s,
    );
  });
});
