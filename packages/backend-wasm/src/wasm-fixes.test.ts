import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackendForTests } from './init-backend';
import { installWasmFixes, uninstallWasmFixes, wasmFixesInstalled } from './wasm-fixes';

let initial: string;
beforeAll(() => {
  initial = tf.getBackend();
});
afterAll(async () => {
  installWasmFixes();
  await tf.setBackend(initial);
});

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

type Case = { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean };
const CASES: Case[] = [
  { name: '2-D', a: [5, 3], b: [3, 4], ta: false, tb: false },
  { name: '2-D transposeB', a: [5, 3], b: [4, 3], ta: false, tb: true },
  { name: '2-D transposeA', a: [3, 5], b: [3, 4], ta: true, tb: false },
  { name: '2-D both', a: [3, 5], b: [4, 3], ta: true, tb: true },
  { name: '3-D batched transposeB', a: [2, 5, 3], b: [2, 4, 3], ta: false, tb: true },
  { name: '3-D broadcast b', a: [2, 5, 3], b: [1, 3, 4], ta: false, tb: false },
];

/**
 * Gradients of sum(w ⊙ matMul(a, b)) (or of a fused matmul with bias and relu) on the current backend. With
 * `tileB`, b is tiled to a's batch size inside the function (the stock gradient cannot broadcast), so its gradient
 * is the reference sum over the batch.
 */
function matMulGrads(c: Case, fused: boolean, tileB = false): number[][] {
  return tf.tidy(() => {
    const a = seeded(c.a, 1);
    const b = seeded(c.b, 2);
    const expand = (y: tf.Tensor) => (tileB ? tf.tile(y, [c.a[0] as number, 1, 1]) : y);
    const outShape = tf.matMul(a, expand(b), c.ta, c.tb).shape;
    const w = seeded(outShape, 3);
    const bias = seeded([outShape[outShape.length - 1] as number], 4);
    const f = (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(
        tf.mul(
          fused
            ? tf.fused.matMul({ a: x, b: y, transposeA: c.ta, transposeB: c.tb, bias, activation: 'relu' })
            : tf.matMul(x, expand(y), c.ta, c.tb),
          w,
        ),
      );
    return tf
      .grads(f)([a, b])
      .map((g) => Array.from(g.dataSync()));
  });
}

describe('wasm fixes', () => {
  it('are installed by setBackendForTests / initBackend and idempotent', async () => {
    expect(await setBackendForTests('wasm')).toBe(true);
    installWasmFixes();
    installWasmFixes();
    expect(wasmFixesInstalled()).toBe(true);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('make tf.grad through tf.gather work on wasm (UnsortedSegmentSum kernel)', async () => {
    await setBackendForTests('wasm');
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    const grad = () =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.gather(t, ids),
            tf.tensor2d([
              [1, 2],
              [3, 4],
              [5, 6],
            ]),
          ),
        ),
      )(table);
    const g = grad();
    // row 0 gets [3, 4]; row 2 gets [1, 2] + [5, 6]
    expect(Array.from(g.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
    const seg = tf.unsortedSegmentSum(
      tf.tensor2d([
        [1, 1],
        [2, 2],
        [4, 4],
      ]),
      tf.tensor1d([1, 1, 0], 'int32'),
      3,
    );
    expect(Array.from(seg.dataSync())).toEqual([4, 4, 3, 3, 0, 0]);
    uninstallWasmFixes();
    expect(grad).toThrow(/UnsortedSegmentSum/);
    installWasmFixes();
    tf.dispose([table, ids, g, seg]);
  });

  it.each(CASES)('matMul gradient ($name) on wasm equals the stock cpu gradient to 1e-5', async (c) => {
    await setBackendForTests('cpu');
    const want = matMulGrads(c, false, c.a[0] !== c.b[0] && c.a.length === 3);
    const wantFused = c.a.length === 2 ? matMulGrads(c, true) : undefined;
    await setBackendForTests('wasm');
    const got = matMulGrads(c, false);
    for (let i = 0; i < 2; i++) {
      const g = got[i] as number[];
      expect(g.length).toBe((want[i] as number[]).length);
      (want[i] as number[]).forEach((w, j) => {
        expect(Math.abs((g[j] as number) - w)).toBeLessThan(1e-5);
      });
    }
    if (wantFused) {
      const gotFused = matMulGrads(c, true);
      wantFused.forEach((grad, i) => {
        grad.forEach((w, j) => {
          expect(Math.abs(((gotFused[i] as number[])[j] as number) - w)).toBeLessThan(1e-5);
        });
      });
    }
  });

  it('use explicit transposes on wasm only, and leak nothing', async () => {
    const profileKernels = async () => {
      const a = seeded([4, 3], 1);
      const b = seeded([3, 2], 2);
      const info = await tf.profile(() => {
        const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]);
        tf.dispose(g);
      });
      tf.dispose([a, b]);
      return info.kernelNames;
    };
    await setBackendForTests('wasm');
    expect(await profileKernels()).toContain('Transpose');
    await setBackendForTests('cpu');
    expect(await profileKernels()).not.toContain('Transpose');
    await setBackendForTests('wasm');
    const a = seeded([6, 4], 5);
    const b = seeded([5, 4], 6);
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, false, true)))([a, b]));
    tf.matMul(a, b, false, true).dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([a, b]);
  });

  /** Runs `fn` on wasm with the stock kernels and with the fixes; returns both results as host arrays. */
  async function stockAndFixed(fn: () => tf.Tensor | tf.Tensor[]): Promise<[number[][], number[][]]> {
    await setBackendForTests('wasm');
    const read = () =>
      tf.tidy(() => {
        const out = fn();
        return (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()));
      });
    uninstallWasmFixes();
    let stock: number[][];
    try {
      stock = read();
    } finally {
      installWasmFixes();
    }
    return [stock, read()];
  }

  /** Asserts that `fn` leaves no tensor and no backend buffer behind. */
  function expectNoLeak(fn: () => void): void {
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    fn();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
  }

  const BATCHED: [string, number[], number[], boolean, boolean][] = [
    ['per-entry XNNPACK, plain', [6, 9, 5], [6, 5, 7], false, false],
    ['per-entry XNNPACK, transposeB', [2, 3, 9, 5], [2, 3, 7, 5], false, true],
    ['per-entry XNNPACK, transposeA', [4, 5, 9], [4, 5, 7], true, false],
    ['scalar loop (1 row), transposeB', [6, 1, 5], [6, 7, 5], false, true],
    ['scalar loop (3 rows), plain', [6, 3, 5], [6, 5, 7], false, false],
  ];

  it.each(BATCHED)(
    'batched matMul (%s) equals the stock wasm kernel and leaks nothing',
    async (_, sa, sb, ta, tb) => {
      const a = seeded(sa, 11);
      const b = seeded(sb, 12);
      const [want, got] = await stockAndFixed(() => tf.matMul(a, b, ta, tb));
      expect(got[0]!.length).toBe(want[0]!.length);
      want[0]!.forEach((w, i) => {
        expect(Math.abs(got[0]![i]! - w)).toBeLessThan(1e-5);
      });
      expectNoLeak(() => tf.matMul(a, b, ta, tb).dispose());
      tf.dispose([a, b]);
    },
  );

  it('run batched products of ≥ 8 rows as per-entry XNNPACK products that free their operators', async () => {
    await setBackendForTests('wasm');
    const a = seeded([64, 16, 8], 13);
    const b = seeded([64, 8, 16], 14);
    const [want, got] = await stockAndFixed(() => tf.matMul(a, b));
    want[0]!.forEach((w, i) => {
      expect(Math.abs(got[0]![i]! - w)).toBeLessThan(1e-5);
    });
    // Repeated calls reuse nothing stale: the same inputs give the same output every time.
    const first = tf.matMul(a, b);
    for (let i = 0; i < 3; i++) {
      const again = tf.matMul(a, b);
      expect(Array.from(again.dataSync())).toEqual(Array.from(first.dataSync()));
      again.dispose();
    }
    tf.dispose([a, b, first]);
  });

  const SLICES: [string, number[], number[], number[]][] = [
    ['contiguous rows', [5, 4], [1, 0], [3, 4]],
    ['2-D box', [5, 4], [1, 1], [3, 2]],
    ['3-D inner axis', [3, 4, 6], [0, 1, 2], [3, 2, 3]],
    ['4-D middle axes', [2, 3, 4, 5], [1, 1, 0, 0], [1, 2, 4, 5]],
    ['5-D', [2, 2, 3, 2, 3], [0, 1, 1, 0, 1], [2, 1, 2, 2, 2]],
    ['size -1', [4, 6], [1, 2], [-1, -1]],
    ['empty', [4, 6], [1, 2], [0, 3]],
  ];

  it.each(SLICES)(
    'in-place Slice (%s) equals the stock kernel and leaks nothing',
    async (_, shape, begin, size) => {
      const x = seeded(shape, 21);
      const xi = tf.range(0, tf.util.sizeFromShape(shape), 1, 'int32').reshape(shape);
      const [want, got] = await stockAndFixed(() => [tf.slice(x, begin, size), tf.slice(xi, begin, size)]);
      expect(got).toEqual(want);
      expectNoLeak(() => tf.slice(x, begin, size).dispose());
      tf.dispose([x, xi]);
    },
  );

  it('in-place SplitV equals the stock kernel and leaks nothing', async () => {
    const x = seeded([3, 12, 4], 22);
    const [want, got] = await stockAndFixed(() => [
      ...tf.split(x, 3, 1),
      ...tf.split(x, [2, 7, 3], 1),
      ...tf.split(x, 3, 0),
    ]);
    expect(got).toEqual(want);
    expectNoLeak(() => tf.dispose(tf.split(x, [5, 7], 1)));
    x.dispose();
  });

  it('row GatherV2 equals the stock kernel, keeps its range error, and leaks nothing', async () => {
    const table = seeded([7, 5], 23);
    const ints = tf.range(0, 21, 1, 'int32').reshape([7, 3]);
    const ids = tf.tensor2d(
      [
        [6, 0, 3],
        [3, 3, 1],
      ],
      undefined,
      'int32',
    );
    const [want, got] = await stockAndFixed(() => [
      tf.gather(table, ids),
      tf.gather(ints, ids.reshape([-1])),
      tf.gather(table, tf.tensor1d([2, 4], 'int32'), 1),
    ]);
    expect(got).toEqual(want);
    expect(tf.gather(table, ids).shape).toEqual([2, 3, 5]);
    expectNoLeak(() => tf.gather(table, ids).dispose());
    const bad = tf.tensor1d([1, 7], 'int32');
    expect(() => tf.gather(table, bad)).toThrow(/not in \[0, 6\]/);
    tf.dispose([table, ints, ids, bad]);
  });
});
