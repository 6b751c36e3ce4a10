import { join } from 'node:path';
import {
  AdamW,
  CHECKPOINT_FILE,
  DataError,
  linearSchedule,
  loadCheckpoint,
  loadCheckpointIfPresent,
  type NamedVariables,
} from '@ocrm/core';
import type * as tf from '@tensorflow/tfjs';
import type { PpoConfig } from '../config';

/**
 * Learning rate of update `update` (0-based) of `total`: without warmup `learningRate · (1 − update / total)`,
 * linear to 0 over the run (one schedule step per PPO update, as TRL); with `warmupSteps = w` (capped at `total`)
 * `learningRate · update / w` for the first w updates, then linear from `learningRate` to 0 over the rest.
 */
export function ppoLearningRate(config: PpoConfig, update: number, total: number): number {
  const warmupSteps = Math.min(config.warmupSteps ?? 0, total);
  return linearSchedule({ peakLr: config.learningRate, totalSteps: total, warmupSteps })(update);
}

/**
 * The trainer's mutable state: the prefixed variables of policy and critic and one AdamW over all of them, with
 * checkpoint save/restore (weights + moments + step + data position, `@ocrm/core`'s format).
 * @internal
 */
export class PpoState {
  readonly optimizer: AdamW;

  constructor(
    readonly variables: NamedVariables,
    private readonly config: PpoConfig,
  ) {
    this.optimizer = new AdamW({
      learningRate: config.learningRate,
      beta1: config.beta1,
      beta2: config.beta2,
      epsilon: config.epsilon,
      weightDecay: config.weightDecay,
    });
  }

  /** One AdamW step with gradients keyed like `variables`; the gradients are not disposed. */
  step(grads: Record<string, tf.Tensor>, learningRate: number): void {
    this.optimizer.step(this.variables, grads, learningRate);
  }

  /** What a PPO checkpoint records beyond weights and moments: what a resume must match. */
  checkpointExtra(): Record<string, unknown> {
    return { kind: 'ppo', rolloutBatchSize: this.config.rolloutBatchSize, seed: this.config.seed };
  }

  /**
   * Loads the checkpoint in `dir` into the variables and the optimizer.
   * @returns the number of finished updates to resume after (0 when `dir` holds no checkpoint).
   * @throws DataError when the checkpoint was written with another rollout batch size or seed.
   */
  async restore(dir: string): Promise<number> {
    const info = await loadCheckpointIfPresent(dir, { variables: this.variables, optimizer: this.optimizer });
    if (!info) return 0;
    const { rolloutBatchSize, seed } = info.extra as { rolloutBatchSize?: number; seed?: number };
    if (rolloutBatchSize !== this.config.rolloutBatchSize || seed !== this.config.seed) {
      throw new DataError(
        `PPO checkpoint was written with rolloutBatchSize ${rolloutBatchSize} and seed ${seed}, ` +
          `this run has ${this.config.rolloutBatchSize} and ${this.config.seed}`,
        { file: join(dir, CHECKPOINT_FILE) },
        { hint: 'Resume with the same config, or delete the checkpoint folder to start over.' },
      );
    }
    return info.step;
  }

  /**
   * Starts from another run's checkpoint (e.g. the previous OCRM round's final state): its policy weights and their
   * AdamW moments, and with `critic` also the critic's weights and moments (otherwise the critic keeps its weights
   * and starts with fresh moments). No config check: this is a warm start, not an exact resume.
   * @returns the checkpoint's finished updates (where the schedule continues).
   * @throws NotFoundError when `dir` holds no checkpoint; ShapeError when its weights do not fit the models.
   */
  async warmStart(dir: string, critic: boolean): Promise<number> {
    const keep = (name: string) => critic || name.startsWith('policy/');
    const variables = Object.fromEntries(Object.entries(this.variables).filter(([name]) => keep(name)));
    const info = await loadCheckpoint(dir, { variables, optimizer: this.optimizer });
    if (!critic) {
      const state = this.optimizer.getState();
      const moments = Object.fromEntries(Object.entries(state.moments).filter(([name]) => keep(name)));
      this.optimizer.setState({ step: state.step, moments });
    }
    return info.step;
  }

  /** Frees the optimizer's moments (the variables belong to the models). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
