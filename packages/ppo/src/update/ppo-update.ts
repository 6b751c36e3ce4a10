import {
  GradientAccumulator,
  type NamedVariables,
  type Policy,
  permutation,
  responseLength,
  rng,
  selectBatchRows,
  throwIfAborted,
  type ValueModel,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { PpoConfig } from '../config';
import { clippedPolicyLoss } from '../math/clipped-policy-loss';
import { clippedValueLoss } from '../math/clipped-value-loss';
import type { Rollout } from '../rollout/collect-rollout';
import { selectRows } from '../rollout/rows';

/** RNG stream of the minibatch permutations: step `update * ppoEpochs + epoch`. */
export const PERMUTATION_STREAM = 0x50510000;

/** Applies one optimizer step with gradients keyed like `variables` (`policy/…`, `critic/…`). Must not dispose them. */
export type OptimizerStep = (grads: Record<string, tf.Tensor>) => void;

/** Input of {@link ppoUpdate}. */
export interface PpoUpdateInput {
  policy: Policy;
  critic: ValueModel;
  rollout: Rollout;
  config: PpoConfig;
  /** 0-based update index (selects the permutations). */
  update: number;
  /** Trainable variables of policy and critic under prefixed names. */
  variables: NamedVariables;
  step: OptimizerStep;
  signal?: AbortSignal;
}

const STAT_NAMES = [
  'loss/policy',
  'loss/value',
  'policy/clipfrac',
  'val/clipfrac',
  'policy/approxkl',
  'val/ratio',
];

/**
 * The PPO optimisation phase on one rollout batch: `ppoEpochs` passes, each over a fresh permutation cut into
 * `numMinibatches` minibatches; each minibatch's gradient is accumulated over micro-batches of `microBatchSize`
 * rows (core `GradientAccumulator`, each micro-batch weighted by its share of the minibatch's rows), then one
 * optimizer step. Loss =
 * policy loss + `vfCoef` × value loss. Statistics stay on the device until one read at the end.
 *
 * @returns the update's loss metrics, averaged over minibatches (`loss/policy`, `loss/value`, `policy/clipfrac`,
 *   `val/clipfrac`, `policy/approxkl`, `val/ratio`) and `loss/total`. No tensor outlives the call.
 * @internal
 */
export async function ppoUpdate(input: PpoUpdateInput): Promise<Record<string, number>> {
  const { policy, critic, rollout, config, update, variables, step, signal } = input;
  const B = rollout.batch.batchSize;
  const R = responseLength(rollout.batch);
  const mbRows = B / config.numMinibatches;
  const names = Object.keys(variables);
  const varList = names.map((name) => variables[name] as tf.Variable);
  const keyOf = new Map(names.map((name) => [(variables[name] as tf.Variable).name, name]));
  const accumulator = new GradientAccumulator();
  let statSum = tf.zeros([STAT_NAMES.length]);
  try {
    for (let epoch = 0; epoch < config.ppoEpochs; epoch++) {
      const order = permutation(B, rng(config.seed, PERMUTATION_STREAM, update * config.ppoEpochs + epoch));
      for (let mb = 0; mb < config.numMinibatches; mb++) {
        await new Promise((resolve) => setImmediate(resolve)); // let timers and abort signals in
        const rows = order.slice(mb * mbRows, (mb + 1) * mbRows);
        for (let start = 0; start < mbRows; start += config.microBatchSize) {
          throwIfAborted(signal);
          const micro = rows.slice(start, start + config.microBatchSize);
          const weight = micro.length / mbRows;
          const { grads, stats } = microBatchGradients(policy, critic, rollout, micro, R, config, varList);
          const named: Record<string, tf.Tensor> = {};
          for (const [tfName, grad] of Object.entries(grads)) named[keyOf.get(tfName) as string] = grad;
          accumulator.add(named, weight);
          const nextStats = tf.tidy(() => tf.add(statSum, tf.mul(stats, weight)));
          tf.dispose([statSum, stats, ...Object.values(grads)]);
          statSum = nextStats;
        }
        const summed = accumulator.take();
        try {
          step(summed);
        } finally {
          tf.dispose(Object.values(summed));
        }
      }
    }
  } catch (error) {
    statSum.dispose();
    throw error;
  } finally {
    accumulator.dispose();
  }
  const steps = config.ppoEpochs * config.numMinibatches;
  const data = await statSum.data();
  statSum.dispose();
  const metrics: Record<string, number> = {};
  STAT_NAMES.forEach((name, i) => {
    metrics[name] = (data[i] as number) / steps;
  });
  metrics['loss/total'] =
    (metrics['loss/policy'] as number) + config.vfCoef * (metrics['loss/value'] as number);
  return metrics;
}

/** Gradients (keyed by tf variable name) of one micro-batch's loss, and its statistics `[6]`. */
function microBatchGradients(
  policy: Policy,
  critic: ValueModel,
  rollout: Rollout,
  rows: number[],
  R: number,
  config: PpoConfig,
  varList: tf.Variable[],
): { grads: tf.NamedTensorMap; stats: tf.Tensor } {
  const batch = selectBatchRows(rollout.batch, rows);
  const valueBatch = rollout.valueBatch === rollout.batch ? batch : selectBatchRows(rollout.valueBatch, rows);
  const shape: [number, number] = [rows.length, R];
  const constants = tf.tidy(() => ({
    logpOld: tf.tensor2d(selectRows(rollout.logpOld, R, rows), shape),
    advantages: tf.tensor2d(selectRows(rollout.advantages, R, rows), shape),
    mask: tf.tensor2d(selectRows(rollout.mask, R, rows), shape),
    valuesOld: tf.tensor2d(selectRows(rollout.valuesOld, R, rows), shape),
    returns: tf.tensor2d(selectRows(rollout.returns, R, rows), shape),
    valueMask: tf.tensor2d(selectRows(rollout.valueMask, R, rows), shape),
  }));
  let stats: tf.Tensor | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = policy.logProbs(batch, { temperature: config.temperature });
      out.entropy?.dispose();
      const values = critic.values(valueBatch);
      const pg = clippedPolicyLoss({
        logpNew: out.logProbs,
        logpOld: constants.logpOld,
        advantages: constants.advantages,
        mask: constants.mask,
        clipRange: config.clipRange,
      });
      const vf = clippedValueLoss({
        values,
        valuesOld: constants.valuesOld,
        returns: constants.returns,
        mask: constants.valueMask,
        clipRangeValue: config.clipRangeValue,
      });
      stats = tf.keep(tf.stack([pg.loss, vf.loss, pg.clipfrac, vf.clipfrac, pg.approxkl, pg.ratio]));
      return tf.add(pg.loss, tf.mul(vf.loss, config.vfCoef)) as tf.Scalar;
    }, varList);
    value.dispose();
    return { grads, stats: stats as tf.Tensor };
  } catch (error) {
    stats?.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(constants));
  }
}
