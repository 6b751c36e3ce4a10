import {
  type AdamW,
  clipGradNorm,
  GradientAccumulator,
  type LrSchedule,
  type NamedVariables,
  namedGrads,
  type Policy,
  permutation,
  rng,
  selectBatchRows,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { PolicyGradientConfig } from '../config';
import { policyGradientLoss } from '../math/policy-loss';
import type { GroupRollout } from '../rollout/group-rollout';

/** RNG stream of the minibatch permutations (`step = update·epochs + epoch`). */
export const MINIBATCH_STREAM = 0x47520001;

/** Host rows `rows` of a row-major `[B, R]` array as a `[n, R]` tensor. */
function rowsOf(data: Float32Array, R: number, rows: readonly number[]): tf.Tensor2D {
  const out = new Float32Array(rows.length * R);
  rows.forEach((r, j) => {
    out.set(data.subarray(r * R, (r + 1) * R), j * R);
  });
  return tf.tensor2d(out, [rows.length, R]);
}

/**
 * `epochs` passes over the rollout in `numMinibatches` shuffled minibatches, one AdamW step each (gradients
 * accumulated over `microBatchSize`-row chunks, weighted by rows; global norm clipped at `maxGradNorm`).
 * @param step - optimizer steps taken before this update (the schedule's position).
 * @returns the mean loss, clip fraction, approximate KL and GRPO KL term over the update's steps, and its grad norm.
 */
export function groupUpdate(o: {
  policy: Policy;
  variables: NamedVariables;
  optimizer: AdamW;
  schedule: LrSchedule;
  rollout: GroupRollout;
  config: PolicyGradientConfig;
  update: number;
  step: number;
}): Record<string, number> {
  const { policy, variables, optimizer, rollout, config } = o;
  const B = rollout.batch.batchSize;
  const R = rollout.mask.length / B;
  const size = B / config.numMinibatches;
  const sums = { loss: 0, clipFrac: 0, approxKl: 0, klTerm: 0, gradNorm: 0 };
  let steps = 0;
  const accumulator = new GradientAccumulator();
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = permutation(B, rng(config.seed, MINIBATCH_STREAM, o.update * config.epochs + epoch));
      for (let m = 0; m < config.numMinibatches; m++) {
        const minibatch = order.slice(m * size, (m + 1) * size);
        for (let c = 0; c < minibatch.length; c += config.microBatchSize) {
          const rows = minibatch.slice(c, c + config.microBatchSize);
          const part = selectBatchRows(rollout.batch, rows);
          const fixed = {
            logpOld: rowsOf(rollout.logpOld, R, rows),
            logpRef: rowsOf(rollout.logpRef, R, rows),
            mask: rowsOf(rollout.mask, R, rows),
            advantages: tf.tensor1d(rows.map((r) => rollout.advantages[r]!)),
          };
          let kept: tf.Scalar[] = [];
          const { value, grads } = namedGrads(variables, () => {
            const l = policyGradientLoss({
              ...fixed,
              logpNew: policy.logProbs(part, { temperature: config.temperature }).logProbs,
              estimator: config.estimator,
              clipRange: config.clipRange,
              klCoef: config.klCoef,
            });
            kept = [tf.keep(l.clipFrac), tf.keep(l.approxKl), tf.keep(l.klTerm)];
            return l.loss;
          });
          const share = rows.length / minibatch.length;
          sums.loss += share * value.dataSync()[0]!;
          sums.clipFrac += share * kept[0]!.dataSync()[0]!;
          sums.approxKl += share * kept[1]!.dataSync()[0]!;
          sums.klTerm += share * kept[2]!.dataSync()[0]!;
          accumulator.add(grads, rows.length);
          tf.dispose([value, ...kept, ...Object.values(grads), ...Object.values(fixed)]);
        }
        const averaged = accumulator.take();
        const clipped = clipGradNorm(averaged, config.maxGradNorm > 0 ? config.maxGradNorm : Infinity);
        tf.dispose(Object.values(averaged));
        optimizer.step(variables, clipped.grads, o.schedule(o.step + steps));
        tf.dispose(Object.values(clipped.grads));
        sums.gradNorm += clipped.norm;
        steps++;
      }
    }
  } finally {
    accumulator.dispose();
  }
  return {
    'loss/policy': sums.loss / steps,
    'policy/clipfrac': sums.clipFrac / steps,
    'policy/approxkl': sums.approxKl / steps,
    'policy/kl_term': sums.klTerm / steps,
    'grad/norm': sums.gradNorm / steps,
  };
}
