import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SPECIFICATION_VERSION } from '../../contracts/common';
import type { RewardModel, ValueModel } from '../../contracts/reward-model';
import type { TokenBatch } from '../../contracts/token-batch';
import type { NamedVariables } from '../../contracts/trainable';
import { InvalidArgumentError } from '../../errors';
import { writeJsonAtomic } from '../../run-io/atomic';

/** Score of one sequence from its valid prompt and response ids (response through its EOS, if any). */
export type MockScoreFn = (responseIds: number[], promptIds: number[]) => number;

/** Options of {@link MockRewardModel}. */
export interface MockRewardModelOptions {
  /** Default: the number of `targetId` tokens in the response. */
  scoreFn?: MockScoreFn;
  /** Token counted by the default score (default 2). */
  targetId?: number;
  /** Subtracted from every score (default 0). */
  offset?: number;
  /** Value of response token t (`values`), from the response tokens before t (the state it is read at). Default 0. */
  valueFn?: (responsePrefix: number[], promptIds: number[]) => number;
}

/** The valid prompt and response ids of row b of a batch. */
export function rowTokens(batch: TokenBatch, b: number): { prompt: number[]; response: number[] } {
  const { seqLength: T, promptLength: P } = batch;
  const prompt: number[] = [];
  const response: number[] = [];
  for (let t = 0; t < T; t++) {
    if (!batch.mask[b * T + t]) continue;
    (t < P ? prompt : response).push(batch.ids[b * T + t] as number);
  }
  return { prompt, response };
}

/**
 * A deterministic, non-learning {@link RewardModel} (and {@link ValueModel}) computed on the host from token ids:
 * by default the score is the count of `targetId` in the response. No variables; returned tensors are constants.
 */
export class MockRewardModel implements RewardModel, ValueModel {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly calls = { score: 0, values: 0 };
  private readonly scoreFn: MockScoreFn;

  constructor(private readonly options: MockRewardModelOptions = {}) {
    const target = options.targetId ?? 2;
    this.scoreFn = options.scoreFn ?? ((response) => response.filter((id) => id === target).length);
  }

  /** Host scores `[B]` (minus the offset). */
  hostScores(batch: TokenBatch): Float32Array {
    const out = new Float32Array(batch.batchSize);
    for (let b = 0; b < batch.batchSize; b++) {
      const { prompt, response } = rowTokens(batch, b);
      if (prompt.length + response.length === 0)
        throw new InvalidArgumentError(`score: row ${b} has no valid token.`);
      out[b] = this.scoreFn(response, prompt) - (this.options.offset ?? 0);
    }
    return out;
  }

  score(batch: TokenBatch): tf.Tensor1D {
    this.calls.score++;
    return tf.tensor1d(this.hostScores(batch));
  }

  values(batch: TokenBatch): tf.Tensor2D {
    this.calls.values++;
    const { batchSize: B, seqLength: T, promptLength: P } = batch;
    const R = T - P;
    const out = new Float32Array(B * R);
    const valueFn = this.options.valueFn;
    if (valueFn) {
      for (let b = 0; b < B; b++) {
        const { prompt } = rowTokens(batch, b);
        const prefix: number[] = [];
        for (let t = 0; t < R; t++) {
          const i = b * T + P + t;
          if (!batch.mask[i]) continue;
          // The value of token t is read at position promptLength - 1 + t: it sees the tokens before t only.
          out[b * R + t] = valueFn([...prefix], prompt);
          prefix.push(batch.ids[i] as number);
        }
      }
    }
    return tf.tensor2d(out, [B, R]);
  }

  trainableVariables(): NamedVariables {
    return {};
  }

  /** Writes `mock-reward-model.json` (the numeric options; functions are not saved). */
  async save(dir: string): Promise<void> {
    await writeJsonAtomic(join(dir, 'mock-reward-model.json'), {
      targetId: this.options.targetId ?? 2,
      offset: this.options.offset ?? 0,
    });
  }

  clone(): MockRewardModel {
    return new MockRewardModel(this.options);
  }

  freeze(): MockRewardModel {
    return new MockRewardModel(this.options);
  }

  dispose(): void {}
}
