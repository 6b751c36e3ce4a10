import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RewardModel, SPECIFICATION_VERSION, type TokenBatch } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { postJsonSync } from './post-json';

/** What a remote reward model is: the server that scores and the weights it scores with (stored as `remote.json`). */
export interface RemoteModelState {
  /** Base URL of the reward server (`http://127.0.0.1:port`). */
  url: string;
  /** The trained model, as the server returned it. */
  weights: number[];
  /** Subtracted from every score: the mean score of the reference responses (the reward's centring). */
  offset: number;
}

/** The response ids (valid tokens after the prompt) of each row. */
export function responseIds(batch: TokenBatch): number[][] {
  const { batchSize: B, seqLength: T, promptLength: P } = batch;
  return Array.from({ length: B }, (_, b) => {
    const ids: number[] = [];
    for (let t = P; t < T; t++) if (batch.mask[b * T + t]) ids.push(batch.ids[b * T + t]!);
    return ids;
  });
}

/**
 * A `RewardModel` whose scores come from another process over HTTP (`POST /score`). No TensorFlow.js variables: it is
 * always frozen, and `score` returns a constant `[B]` tensor (no gradient flows into it — none is needed by PPO, RLOO,
 * GRPO or the evaluation).
 */
export class RemoteRewardModel implements RewardModel {
  readonly specificationVersion = SPECIFICATION_VERSION;

  constructor(readonly state: RemoteModelState) {}

  score(batch: TokenBatch): tf.Tensor1D {
    const { scores } = postJsonSync<{ scores: number[] }>(`${this.state.url}/score`, {
      weights: this.state.weights,
      responses: responseIds(batch),
    });
    return tf.tensor1d(scores.map((s) => s - this.state.offset));
  }

  trainableVariables(): Record<string, tf.Variable> {
    return {};
  }

  async save(dir: string): Promise<void> {
    await writeFile(join(dir, 'remote.json'), `${JSON.stringify(this.state)}\n`);
  }

  clone(): RemoteRewardModel {
    return new RemoteRewardModel(this.state);
  }

  freeze(): RemoteRewardModel {
    return new RemoteRewardModel(this.state);
  }

  dispose(): void {}
}
