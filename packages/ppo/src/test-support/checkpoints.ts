import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ppoVariables } from '../train-ppo';
import type { tinySetup } from './setup';

/** Copies of every policy and critic weight of a tiny setup, keyed like the checkpoint (`policy/…`, `critic/…`). */
export function snapshot(s: ReturnType<typeof tinySetup>): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(ppoVariables(s.policy, s.critic)))
    out[name] = v.dataSync() as Float32Array;
  return out;
}

/** A factory of temporary folders, all removed after the test file (call it at describe level). */
export function useTempDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
