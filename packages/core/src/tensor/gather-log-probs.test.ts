import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { gatherLogProbs, logSoftmaxChunked, logSumExpChunked } from './gather-log-probs';

function naive(logits: tf.Tensor3D, ids: tf.Tensor2D, temperature: number): tf.Tensor {
  const V = logits.shape[2];
  return tf.sum(tf.mul(tf.logSoftmax(tf.div(logits, temperature)), tf.oneHot(ids, V)), -1);
}

function randomCase(B: number, T: number, V: number): { logits: tf.Tensor3D; ids: tf.Tensor2D } {
  const logits = tf.randomNormal([B, T, V], 0, 3, 'float32', 7) as tf.Tensor3D;
  const ids = tf.tensor2d(
    Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V),
    [B, T],
    'int32',
  );
  return { logits, ids };
}

describe('gatherLogProbs', () => {
  it('hand-computed: logits [0, ln2, ln3] → p = [1/6, 1/3, 1/2]', () => {
    tf.tidy(() => {
      const logits = tf.tensor3d([
        [
          [0, Math.log(2), Math.log(3)],
          [0, Math.log(2), Math.log(3)],
        ],
      ]);
      const ids = tf.tensor2d([[2, 0]], [1, 2], 'int32');
      const out = gatherLogProbs(logits, ids);
      expect(out.shape).toEqual([1, 2]);
      const [a, b] = Array.from(out.dataSync());
      expect(a).toBeCloseTo(Math.log(0.5), 6);
      expect(b).toBeCloseTo(Math.log(1 / 6), 6);
      // temperature 2: p(id 1) = √2 / (1 + √2 + √3)
      const tempered = gatherLogProbs(logits, tf.tensor2d([[1, 1]], [1, 2], 'int32'), { temperature: 2 });
      const want = Math.log(Math.SQRT2 / (1 + Math.SQRT2 + Math.sqrt(3)));
      expect(tempered.dataSync()[0]).toBeCloseTo(want, 6);
      // chunked the same
      expect(gatherLogProbs(logits, ids, { chunkSize: 1 }).dataSync()[0]).toBeCloseTo(Math.log(0.5), 6);
    });
  });

  it.each([1, 3, 7, 16, 100])(
    'equals the naive log-softmax gather with chunkSize %i (fused and chunked)',
    (chunkSize) => {
      tf.tidy(() => {
        const { logits, ids } = randomCase(2, 5, 16);
        for (const [temperature, fusedMaxElements] of [
          [1, 0],
          [0.7, 0],
          [1, undefined],
          [0.7, undefined],
        ] as const) {
          const got = gatherLogProbs(logits, ids, { temperature, chunkSize, fusedMaxElements }).dataSync();
          const want = naive(logits, ids, temperature).dataSync();
          want.forEach((w, i) => {
            expect(got[i]).toBeCloseTo(w, 4);
          });
        }
      });
    },
  );

  it('has the same gradient as the naive version (tf.grad)', () => {
    tf.tidy(() => {
      const { logits, ids } = randomCase(2, 3, 11);
      const weights = tf.randomUniform([2, 3], -1, 1, 'float32', 3);
      for (const [chunkSize, fusedMaxElements, temperature] of [
        [4, 0, 0.7],
        [11, 0, 0.7],
        [4, undefined, 0.7], // fused
        [4, undefined, 1], // fused
      ] as const) {
        const g = tf.grad((l: tf.Tensor) =>
          tf.sum(tf.mul(gatherLogProbs(l, ids, { temperature, chunkSize, fusedMaxElements }), weights)),
        )(logits);
        const gNaive = tf.grad((l: tf.Tensor) =>
          tf.sum(tf.mul(naive(l as tf.Tensor3D, ids, temperature), weights)),
        )(logits);
        const a = g.dataSync();
        const b = gNaive.dataSync();
        expect(a.length).toBe(b.length);
        b.forEach((w, i) => {
          expect(Math.abs((a[i] as number) - w)).toBeLessThan(1e-5);
        });
      }
    });
  });

  it('keeps the gradient of a large vocabulary to a few [N, V] copies (50k vocab: autodiff through slices ran out)', async () => {
    const [N, V] = [200, 30_000];
    const logits = tf.randomNormal([N, V], 0, 1, 'float32', 1) as tf.Tensor2D;
    const ids = tf.randomUniform([N], 0, V, 'int32', 2) as tf.Tensor1D;
    const info = await tf.profile(() => {
      tf.grad((l: tf.Tensor) => tf.sum(gatherLogProbs(l, ids, { chunkSize: 4096, fusedMaxElements: 0 })))(
        logits,
      ).dispose();
    });
    // The logits, their gradient and the chunk parts being concatenated: about 5 copies (measured), never one per chunk.
    expect(info.peakBytes).toBeLessThan(6 * N * V * 4);
    tf.dispose([logits, ids]);
  });

  it('accepts 2-D logits and rejects mismatched ids', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[0, Math.log(3)]]);
      expect(gatherLogProbs(logits, tf.tensor1d([1], 'int32')).dataSync()[0]).toBeCloseTo(Math.log(0.75), 6);
      expect(() => gatherLogProbs(logits, tf.tensor1d([1, 0], 'int32'))).toThrow(ShapeError);
    });
  });

  it('leaks nothing (forward and gradient)', () => {
    const { logits, ids } = randomCase(2, 3, 10);
    const before = tf.memory().numTensors;
    gatherLogProbs(logits, ids, { chunkSize: 3, temperature: 0.5 }).dispose();
    const g = tf.grad((l: tf.Tensor) => tf.sum(gatherLogProbs(l, ids, { chunkSize: 4 })))(logits);
    g.dispose();
    const chunked = tf.grad((l: tf.Tensor) =>
      tf.sum(gatherLogProbs(l, ids, { chunkSize: 4, fusedMaxElements: 0, temperature: 0.5 })),
    )(logits);
    chunked.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, ids]);
  });
});

describe('logSumExpChunked / logSoftmaxChunked', () => {
  it('equal tf.logSumExp / tf.logSoftmax', () => {
    tf.tidy(() => {
      const { logits } = randomCase(2, 3, 13);
      const lse = logSumExpChunked(logits, { chunkSize: 5, temperature: 2 });
      expect(lse.shape).toEqual([2, 3]);
      const want = tf.logSumExp(tf.div(logits, 2), -1).dataSync();
      lse.dataSync().forEach((v, i) => {
        expect(v).toBeCloseTo(want[i] as number, 4);
      });
      const ls = logSoftmaxChunked(logits, { chunkSize: 4 });
      const wantLs = tf.logSoftmax(logits).dataSync();
      ls.dataSync().forEach((v, i) => {
        expect(v).toBeCloseTo(wantLs[i] as number, 4);
      });
    });
  });
});
