import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { buildTokenBatch } from '../../batch/build-token-batch';
import type { TokenBatch } from '../../contracts/token-batch';
import type { NamedVariables } from '../../contracts/trainable';

/** Ids in `[0, vocabSize)` other than the special ones, cycled to `n` entries. */
export function ordinaryIds(vocabSize: number, special: readonly number[], n: number): number[] {
  const pool = Array.from({ length: vocabSize }, (_, v) => v).filter((v) => !special.includes(v));
  if (pool.length === 0) throw new Error('contract suite: the vocabulary has no ordinary ids');
  return Array.from({ length: n }, (_, i) => pool[(i * 7 + 3) % pool.length] as number);
}

/**
 * A small batch with prompts of different lengths (left padding), responses of different lengths (right padding),
 * one ending with EOS and one without.
 */
export function contractBatch(vocabSize: number, eosId: number, padId: number): TokenBatch {
  const ids = ordinaryIds(vocabSize, [eosId, padId], 12);
  const at = (i: number) => ids[i] as number;
  return buildTokenBatch({
    prompts: [[at(0), at(1), at(2)], [at(3)], [at(4), at(5)]],
    responses: [[at(6), at(7), eosId], [at(8), at(9), at(10), at(11)], [at(1)]],
    padId,
    promptLength: 3,
    responseLength: 5,
  });
}

/** Same sequences with `left` more prompt positions and `right` more response positions (all padding). */
export function repad(
  batch: TokenBatch,
  left: number,
  right: number,
  padId: number,
  junk?: number,
): TokenBatch {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  const T2 = T + left + right;
  const ids = new Int32Array(B * T2).fill(junk ?? padId);
  const mask = new Uint8Array(B * T2);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const valid = batch.mask[b * T + t] as number;
      ids[b * T2 + left + t] = valid
        ? (batch.ids[b * T + t] as number)
        : (junk ?? (batch.ids[b * T + t] as number));
      mask[b * T2 + left + t] = valid;
    }
  }
  return { ids, mask, batchSize: B, seqLength: T2, promptLength: P + left };
}

/** Host copy of a tensor's values; disposes nothing. */
export function values(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync());
}

/** Response-part values `[B, R]` → drops `left`/`right` extra response columns for comparison. */
export function responseColumns(data: Float32Array, B: number, R: number, keep: number): Float32Array {
  const out = new Float32Array(B * keep);
  for (let b = 0; b < B; b++) out.set(data.subarray(b * R, b * R + keep), b * keep);
  return out;
}

/** Elementwise |a - b| ≤ tol, with a readable failure. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst <= tol, `${what}: max |diff| ${worst} at ${at} > ${tol}`).toBe(true);
}

/** Every value finite. */
export function expectFinite(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++) {
    expect(Number.isFinite(data[i]), `${what}[${i}] = ${data[i]} is not finite`).toBe(true);
  }
}

/** Adds deterministic noise of size `scale` to every variable (in place, through `assign`). */
export function perturb(vars: NamedVariables, scale = 0.5): void {
  tf.tidy(() => {
    let k = 1;
    for (const v of Object.values(vars)) {
      const n = v.size;
      const noise = Float32Array.from({ length: n }, (_, i) => Math.sin(1 + k * 97 + i * 13) * scale);
      v.assign(tf.add(v, tf.tensor(noise, v.shape)));
      k++;
    }
  });
}

/** Gradients of `loss` with respect to `vars`: all finite and at least one non-zero. Leaves no tensors. */
export function expectDifferentiable(vars: NamedVariables, loss: () => tf.Scalar, what: string): void {
  const list = Object.values(vars);
  const { value, grads } = tf.variableGrads(loss, list);
  try {
    const norms = Object.values(grads).map((g) => {
      const d = g.dataSync();
      let s = 0;
      for (const x of d) s += x * x;
      return Math.sqrt(s);
    });
    expect(norms.length, `${what}: one gradient per variable`).toBe(list.length);
    expectFinite(norms, `${what}: gradient norms`);
    expect(
      norms.some((n) => n > 0),
      `${what}: every gradient is zero`,
    ).toBe(true);
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

/** Runs `fn` with a fresh temp folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ocrm-contract-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Files in a folder (for "save writes something"). */
export async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => !f.startsWith('.'));
}

/** A deep snapshot of a batch's arrays, to check a function did not modify its input. */
export function snapshotBatch(batch: TokenBatch): { ids: number[]; mask: number[] } {
  return { ids: Array.from(batch.ids), mask: Array.from(batch.mask) };
}

/** Every variable's values, flattened in the names' sorted order: compares a model's weights before and after. */
export async function weightsSnapshot(variables: NamedVariables): Promise<number[]> {
  const out: number[] = [];
  for (const name of Object.keys(variables).sort())
    out.push(...((await variables[name]!.data()) as Float32Array));
  return out;
}

/** The test every contract suite starts with: the implementation declares `specificationVersion: 'v1'` and a name. */
export function itDeclaresVersionAndName(
  factory: () =>
    | { specificationVersion: string; name: string }
    | Promise<{ specificationVersion: string; name: string }>,
): void {
  it("declares specificationVersion 'v1' and a name", async () => {
    const impl = await factory();
    expect(impl.specificationVersion).toBe('v1');
    expect(typeof impl.name === 'string' && impl.name.length > 0).toBe(true);
  });
}
