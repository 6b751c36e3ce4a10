import { spawn } from 'node:child_process';
import { OcrmError } from '@ocrm/core';
import { type PipelineConfig, runStageShard } from '@ocrm/pipeline';

/** How much of a failed shard process's stderr an error quotes. */
const STDERR_TAIL = 2000;

/**
 * `ocrm run --shards n` on this machine: the `runShards` hook of `runPipeline` that computes a data-parallel stage's
 * n shards at once — shards 1…n−1 in child processes of this CLI (`ocrm stage <outDir> <stage> --shard i/n`, each
 * its own tfjs backend and core), shard 0 in this process meanwhile — so that the stage's merge only reads their
 * files. The outputs are those of the unsharded stage, for any n (the shard contracts).
 *
 * @param cliEntry the built `ocrm` entry (`dist/bin.js`) the children run with this Node.
 * @throws OcrmError `EXECUTOR` naming the shard, its exit code and its stderr's end when a child fails (the others
 * are stopped); the shard files already written are kept, so a rerun computes only what is missing.
 */
export function localShardRunner(
  config: PipelineConfig,
  outDir: string,
  cliEntry: string,
): (stage: string, shards: number, signal?: AbortSignal) => Promise<void> {
  return async (stage, shards, signal) => {
    const children = Array.from({ length: shards - 1 }, (_, i) =>
      runChild(cliEntry, ['stage', outDir, stage, '--shard', `${i + 1}/${shards}`, '--quiet'], signal),
    );
    try {
      await runStageShard(config, { outDir, stage, shard: { index: 0, count: shards }, signal });
      const failures = (await Promise.allSettled(children.map((c) => c.done))).flatMap((r, i) =>
        r.status === 'rejected' ? [{ shard: i + 1, error: r.reason as Error }] : [],
      );
      if (failures.length > 0) {
        const first = failures[0]!;
        throw new OcrmError(
          'EXECUTOR',
          `shard ${first.shard}/${shards} of stage ${stage} failed${failures.length > 1 ? ` (and ${failures.length - 1} more)` : ''}: ${first.error.message}`,
          {
            hint: `rerun the same command: the shards already written are kept (${outDir}/${stage}/shards).`,
          },
        );
      }
    } finally {
      for (const child of children) child.stop();
    }
  };
}

/** A child process of the CLI: `done` resolves on exit code 0 and rejects with its stderr's end otherwise. */
function runChild(
  cliEntry: string,
  args: string[],
  signal?: AbortSignal,
): { done: Promise<void>; stop: () => void } {
  // One core each: the shards are the parallelism here (OCRM_WASM_THREADS would otherwise be inherited).
  const child = spawn(process.execPath, [cliEntry, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, OCRM_WASM_THREADS: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  let exited = false;
  const stop = () => {
    if (!exited) child.kill('SIGTERM');
  };
  signal?.addEventListener('abort', stop, { once: true });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, killedBy) => {
      exited = true;
      signal?.removeEventListener('abort', stop);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `\`ocrm ${args.join(' ')}\` exited with ${killedBy ?? `code ${code}`}${stderr.trim() ? `:\n${stderr.trim()}` : ''}`,
          ),
        );
    });
  });
  // A failing shard is reported by the caller after shard 0; never an unhandled rejection meanwhile.
  done.catch(() => {});
  return { done, stop };
}
