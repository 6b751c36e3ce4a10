import { restoreBackendAfterAll } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAttention, decodeAttentionFromQkv } from './decode-attention';
import { setBackendForTests } from './init-backend';
import { installWasmFixes, uninstallWasmFixes } from './wasm-fixes';

restoreBackendAfterAll();
afterAll(() => installWasmFixes());

type Layout = { B: number; nH: number; kvH: number; P: number; hd: number; headsOuter: boolean };

/** Random inputs of one decoding step; the bias masks key 0 of sequence 0 (left padding). */
function inputs(l: Layout, scale: number) {
  type Shape = [number, number, number, number];
  const cache = (n: number): Shape => (l.headsOuter ? [l.nH, l.B, n, l.hd] : [l.B, l.kvH, n, l.hd]);
  const qShape: Shape = l.headsOuter ? [l.nH, l.B, 1, l.hd] : [l.B, l.nH, 1, l.hd];
  const S = l.P + 1;
  const mask = Float32Array.from({ length: l.B * S }, (_, i) => (i === 0 ? -1e9 : 0));
  return {
    q: tf.randomNormal(qShape, 0, 1, 'float32', 1) as tf.Tensor4D,
    k: tf.randomNormal(cache(1), 0, 1, 'float32', 2) as tf.Tensor4D,
    v: tf.randomNormal(cache(1), 0, 1, 'float32', 3) as tf.Tensor4D,
    pastK: tf.randomNormal(cache(l.P), 0, 1, 'float32', 4) as tf.Tensor4D,
    pastV: tf.randomNormal(cache(l.P), 0, 1, 'float32', 5) as tf.Tensor4D,
    bias: tf.tensor4d(mask, [l.B, 1, 1, S]),
    numHeads: l.nH,
    headsOuter: l.headsOuter,
    scale,
  };
}

/** The same step with tensor ops, in the batch-outer layout: [B, nH*hd] and the grown cache. */
function reference(x: ReturnType<typeof inputs>, l: Layout) {
  return tf.tidy(() => {
    const toBatchOuter = (t: tf.Tensor4D): tf.Tensor4D => (l.headsOuter ? t.transpose([1, 0, 2, 3]) : t);
    const keys = tf.concat([x.pastK, x.k], 2);
    const values = tf.concat([x.pastV, x.v], 2);
    const rep = l.nH / l.kvH;
    const expand = (t: tf.Tensor4D) =>
      tf.tile(t.expandDims(2), [1, 1, rep, 1, 1]).reshape([l.B, l.nH, -1, l.hd]);
    const K = expand(toBatchOuter(keys as tf.Tensor4D));
    const V = expand(toBatchOuter(values as tf.Tensor4D));
    const scores = tf.matMul(toBatchOuter(x.q), K, false, true).mul(x.scale).add(x.bias);
    const out = tf.matMul(tf.softmax(scores), V).reshape([l.B, l.nH * l.hd]);
    return { out, keys, values };
  });
}

function disposeInputs(x: ReturnType<typeof inputs>): void {
  tf.dispose([x.q, x.k, x.v, x.pastK, x.pastV, x.bias]);
}

const LAYOUTS: Layout[] = [
  { B: 3, nH: 4, kvH: 4, P: 5, hd: 16, headsOuter: true },
  { B: 2, nH: 4, kvH: 2, P: 7, hd: 8, headsOuter: false },
  { B: 2, nH: 3, kvH: 1, P: 1, hd: 6, headsOuter: false },
];

describe('decodeAttention (fused wasm decoding step)', () => {
  it('matches the tensor-op attention and cache append in both layouts, with grouped-query heads', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    for (const l of LAYOUTS) {
      const x = inputs(l, 1 / Math.sqrt(l.hd));
      const want = reference(x, l);
      const before = tf.memory().numTensors;
      const got = decodeAttention(x);
      expect(got, JSON.stringify(l)).toBeDefined();
      expect(tf.memory().numTensors).toBe(before + 3);
      expect(got!.out.shape).toEqual([l.B, l.nH * l.hd]);
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);
      expect(diff(got!.keys, want.keys)).toBe(0);
      expect(diff(got!.values, want.values)).toBe(0);
      expect(diff(got!.out, want.out)).toBeLessThan(2e-6);
      tf.dispose([got!.out, got!.keys, got!.values, want.out, want.keys, want.values]);
      disposeInputs(x);
    }
  });

  it('declines (undefined) on cpu, under a gradient tape and without the wasm fixes', async () => {
    const l = LAYOUTS[0]!;
    await setBackendForTests('cpu');
    let x = inputs(l, 1);
    expect(decodeAttention(x)).toBeUndefined();
    disposeInputs(x);
    await setBackendForTests('wasm');
    installWasmFixes();
    x = inputs(l, 1);
    const before = tf.memory().numTensors;
    const grads = tf.grads((q: tf.Tensor) => {
      expect(decodeAttention({ ...x, q: q as tf.Tensor4D })).toBeUndefined();
      return q.sum();
    });
    tf.dispose(grads([x.q]));
    uninstallWasmFixes();
    expect(decodeAttention(x)).toBeUndefined();
    installWasmFixes();
    expect(tf.memory().numTensors).toBe(before);
    disposeInputs(x);
  });

  it('from fused q/k/v rows: splits, rotates (partial, full, none) and scales like the tensor ops', async () => {
    await setBackendForTests('wasm');
    installWasmFixes();
    const [B, nH, P, hd] = [3, 2, 4, 8];
    for (const rot of [4, 8, 0]) {
      const base = inputs({ B, nH, kvH: nH, P, hd, headsOuter: true }, 1);
      const qkv = tf.randomNormal([B, 3 * nH * hd], 0, 1, 'float32', 11) as tf.Tensor2D;
      // Tables like the models': random angles' values on the rotated features, cos 1 and sin 0 past them.
      const table = (seed: number, past: number) =>
        tf.tidy(() =>
          tf.concat(
            [tf.randomUniform([B, 1, 1, rot], -1, 1, 'float32', seed), tf.fill([B, 1, 1, hd - rot], past)],
            3,
          ),
        ) as tf.Tensor4D;
      const cos = table(12, 1);
      const sin = table(13, 0);
      const qScale = 1 / Math.sqrt(hd);
      // The tensor-op path: heads-outer q, k, v [nH, B, 1, hd]; rotate_half on the first `rot` features.
      const parts = tf.tidy(() => {
        const rows = qkv.reshape([B, 3 * nH, hd]).transpose([1, 0, 2]);
        const rotate = (x: tf.Tensor): tf.Tensor => {
          if (rot === 0) return x;
          const half = rot / 2;
          const [a, b, rest] = tf.split(x, [half, half, hd - rot], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
          const c = cos.reshape([1, B, 1, hd]);
          const s = sin.reshape([1, B, 1, hd]);
          const rotated = tf.concat([b.neg(), a, tf.zerosLike(rest)], -1);
          return x.mul(c).add(rotated.mul(s));
        };
        const [q, k, v] = tf.split(rows, 3, 0).map((t) => t.reshape([nH, B, 1, hd]));
        return { q: rotate(q!).mul(qScale), k: rotate(k!), v: v! };
      });
      const x = { ...base, q: parts.q as tf.Tensor4D, k: parts.k as tf.Tensor4D, v: parts.v as tf.Tensor4D };
      const want = reference(x, { B, nH, kvH: nH, P, hd, headsOuter: true });
      const before = tf.memory().numTensors;
      const got = decodeAttentionFromQkv({
        qkv,
        rotary: rot ? { cos, sin, rotaryDim: rot } : undefined,
        pastK: base.pastK,
        pastV: base.pastV,
        bias: base.bias,
        qScale,
      });
      expect(got).toBeDefined();
      expect(tf.memory().numTensors).toBe(before + 3);
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);
      expect(diff(got!.keys, want.keys), `rot ${rot}`).toBeLessThan(1e-6);
      expect(diff(got!.values, want.values)).toBe(0);
      expect(diff(got!.out, want.out), `rot ${rot}`).toBeLessThan(2e-6);
      tf.dispose([got!.out, got!.keys, got!.values, want.out, want.keys, want.values, qkv, cos, sin]);
      tf.dispose([parts.q, parts.k, parts.v]);
      disposeInputs(base);
    }
  });
});
