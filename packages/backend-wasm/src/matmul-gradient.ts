/**
 * The `BatchMatMul` gradient `installWasmFixes` registers for the wasm backend (see `wasm-fixes.ts`, fix (a)): the
 * stock gradient's `transposeA`/`transposeB` products run in wasm's scalar loop; this one transposes explicitly and
 * multiplies untransposed (XNNPACK), summing over broadcast batch dimensions.
 */
import * as tf from '@tensorflow/tfjs';

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return tf.transpose(x, perm);
}

/** `matMul(x, y, tx, ty)` as an untransposed product of explicitly transposed operands. */
function plainMatMul(x: tf.Tensor, y: tf.Tensor, transposeX: boolean, transposeY: boolean): tf.Tensor {
  return tf.matMul(transposeX ? swapLastTwo(x) : x, transposeY ? swapLastTwo(y) : y);
}

/** Sums a gradient over broadcast batch dimensions so it has `shape` again. */
function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (tf.util.arraysEqual(grad.shape, shape)) return grad;
  const extra = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < extra || (shape[i - extra] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  return tf.reshape(tf.sum(grad, axes), shape);
}

/** The replacement `BatchMatMul` gradient (same cases as tfjs-core's `batchMatMulGradConfig`). */
export function matMulGrad(
  dy: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
) {
  let da: () => tf.Tensor;
  let db: () => tf.Tensor;
  if (!transposeA && !transposeB) {
    da = () => plainMatMul(dy, b, false, true);
    db = () => plainMatMul(a, dy, true, false);
  } else if (!transposeA && transposeB) {
    da = () => plainMatMul(dy, b, false, false);
    db = () => plainMatMul(dy, a, true, false);
  } else if (transposeA && !transposeB) {
    da = () => plainMatMul(b, dy, false, true);
    db = () => plainMatMul(a, dy, false, false);
  } else {
    da = () => plainMatMul(b, dy, true, true);
    db = () => plainMatMul(dy, a, true, true);
  }
  return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
}
