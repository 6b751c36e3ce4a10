import {
  type MicroBatchGradients,
  type NamedVariables,
  namedGrads,
  type Policy,
  selectBatchRows,
  type TokenBatch,
  type ValueModel,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import type { PpoConfig } from '../config';
import { clippedPolicyLoss } from '../math/clipped-policy-loss';
import { clippedValueLoss } from '../math/clipped-value-loss';
import type { Rollout } from '../rollout/collect-rollout';
import { selectRows } from '../rollout/rows';

/** One PPO micro-batch as plain data (a data-parallel worker can receive it): rows of the rollout. */
export interface PpoMicroBatch {
  /** Prompt + response rows `[m, T]`. */
  batch: TokenBatch;
  /** The rows the critic reads `[m, T]`. */
  valueBatch: TokenBatch;
  /** `[m, R]` each, row-major: the rollout's host arrays at these rows. */
  logpOld: Float32Array;
  advantages: Float32Array;
  mask: Float32Array;
  valuesOld: Float32Array;
  returns: Float32Array;
  valueMask: Float32Array;
}

/** The loss fields of the PPO config a micro-batch needs. */
export type PpoLossConfig = Pick<PpoConfig, 'temperature' | 'clipRange' | 'clipRangeValue' | 'vfCoef'>;

/** The micro-batch of `rollout` at `rows`. */
export function ppoMicroBatch(rollout: Rollout, rows: readonly number[]): PpoMicroBatch {
  const R = rollout.batch.seqLength - rollout.batch.promptLength;
  const batch = selectBatchRows(rollout.batch, rows);
  return {
    batch,
    valueBatch: rollout.valueBatch === rollout.batch ? batch : selectBatchRows(rollout.valueBatch, rows),
    logpOld: selectRows(rollout.logpOld, R, rows),
    advantages: selectRows(rollout.advantages, R, rows),
    mask: selectRows(rollout.mask, R, rows),
    valuesOld: selectRows(rollout.valuesOld, R, rows),
    returns: selectRows(rollout.returns, R, rows),
    valueMask: selectRows(rollout.valueMask, R, rows),
  };
}

/**
 * The PPO loss of one micro-batch (clipped policy loss + `vfCoef` × clipped value loss), its gradients by the names
 * of `variables` (`policy/…`, `critic/…`) and, as `extra`, its statistics `[6]` (policy loss, value loss, policy
 * clip fraction, value clip fraction, approximate KL, mean ratio). The one computation of a PPO update's
 * micro-batches, in the trainer's thread and in a data-parallel worker's replica alike.
 */
export function ppoMicroBatchGradients(
  policy: Policy,
  critic: ValueModel,
  variables: NamedVariables,
  task: PpoMicroBatch,
  config: PpoLossConfig,
): MicroBatchGradients {
  const m = task.batch.batchSize;
  const R = task.batch.seqLength - task.batch.promptLength;
  const shape: [number, number] = [m, R];
  const constants = tf.tidy(() => ({
    logpOld: tf.tensor2d(task.logpOld, shape),
    advantages: tf.tensor2d(task.advantages, shape),
    mask: tf.tensor2d(task.mask, shape),
    valuesOld: tf.tensor2d(task.valuesOld, shape),
    returns: tf.tensor2d(task.returns, shape),
    valueMask: tf.tensor2d(task.valueMask, shape),
  }));
  let stats: tf.Tensor | undefined;
  try {
    const { value, grads } = namedGrads(variables, () => {
      const out = policy.logProbs(task.batch, { temperature: config.temperature });
      out.entropy?.dispose();
      const values = critic.values(task.valueBatch);
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
    });
    return { value, grads, extra: stats };
  } catch (error) {
    stats?.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(constants));
  }
}
