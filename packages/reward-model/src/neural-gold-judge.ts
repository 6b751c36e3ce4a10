import {
  buildTokenBatch,
  type GoldJudge,
  InvalidArgumentError,
  type RewardModel,
  SPECIFICATION_VERSION,
  type Tokenizer,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { ScalarRewardModel } from './scalar-reward-model';

/** Options of {@link NeuralGoldJudge}. */
export interface NeuralGoldJudgeOptions {
  /** The scoring model (e.g. a loaded sequence-classification checkpoint). The judge owns it: `dispose()` frees it. */
  rewardModel: RewardModel;
  /** The tokenizer the checkpoint was trained with. */
  tokenizer: Tokenizer;
  /** Name in reports (default `neural-judge`). */
  name?: string;
  /** Sequences scored per forward (default 16). */
  batchSize?: number;
  /** Append `tokenizer.eosId` to responses that ended (default true), so the score is read at the EOS. */
  appendEos?: boolean;
  /** Keep at most this many prompt tokens (from the right); 0 = all (default). */
  maxPromptTokens?: number;
  /** Keep at most this many response tokens; 0 = all (default). */
  maxResponseTokens?: number;
}

/**
 * A {@link GoldJudge} backed by a neural reward model and its own tokenizer: text in, one score per (prompt,
 * response). The paper labelled pairs with an 8B reward model; on a GPU backend such a checkpoint loads with
 * {@link NeuralGoldJudge.load}. Scores are computed without gradients, micro-batch by micro-batch.
 *
 * @example
 * const judge = await NeuralGoldJudge.load('models/gold-rm', tokenizer);
 * const scores = await judge.score(['Q: 2+2?'], ['4']);
 * judge.dispose();
 */
export class NeuralGoldJudge implements GoldJudge {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name: string;
  private readonly rewardModel: RewardModel;
  private readonly tokenizer: Tokenizer;
  /** Responses scored in one forward (the batches start at response 0 of each `score` call). */
  readonly batchSize: number;
  private readonly appendEos: boolean;
  private readonly maxPromptTokens: number;
  private readonly maxResponseTokens: number;

  constructor(options: NeuralGoldJudgeOptions) {
    this.rewardModel = options.rewardModel;
    this.tokenizer = options.tokenizer;
    this.name = options.name ?? 'neural-judge';
    this.batchSize = options.batchSize ?? 16;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1) {
      throw new InvalidArgumentError(
        `NeuralGoldJudge: batchSize must be a positive integer, got ${this.batchSize}.`,
      );
    }
    this.appendEos = options.appendEos ?? true;
    this.maxPromptTokens = options.maxPromptTokens ?? 0;
    this.maxResponseTokens = options.maxResponseTokens ?? 0;
  }

  /** Loads a sequence-classification checkpoint folder (frozen) as a judge. */
  static async load(
    dir: string,
    tokenizer: Tokenizer,
    options: Omit<NeuralGoldJudgeOptions, 'rewardModel' | 'tokenizer'> = {},
  ): Promise<NeuralGoldJudge> {
    const loaded = await ScalarRewardModel.load(dir);
    const rewardModel = loaded.freeze();
    loaded.dispose();
    return new NeuralGoldJudge({ ...options, rewardModel, tokenizer });
  }

  async score(
    prompts: readonly string[],
    responses: readonly string[],
    ended?: readonly boolean[],
  ): Promise<number[]> {
    if (prompts.length !== responses.length || (ended && ended.length !== prompts.length)) {
      throw new InvalidArgumentError(
        `NeuralGoldJudge.score: ${prompts.length} prompts, ${responses.length} responses` +
          (ended ? `, ${ended.length} ended flags` : '') +
          '; give one of each per pair.',
      );
    }
    const out: number[] = [];
    for (let start = 0; start < prompts.length; start += this.batchSize) {
      const end = Math.min(prompts.length, start + this.batchSize);
      const promptIds: number[][] = [];
      const responseIds: number[][] = [];
      for (let i = start; i < end; i++) {
        let p = this.tokenizer.encode(prompts[i]!);
        if (this.maxPromptTokens > 0) p = p.slice(Math.max(0, p.length - this.maxPromptTokens));
        let r = this.tokenizer.encode(responses[i]!);
        if (this.maxResponseTokens > 0) r = r.slice(0, this.maxResponseTokens);
        if (this.appendEos && (ended?.[i] ?? true)) r = [...r, this.tokenizer.eosId];
        if (p.length + r.length === 0) p = [this.tokenizer.eosId];
        promptIds.push(p);
        responseIds.push(r);
      }
      const batch = buildTokenBatch({
        prompts: promptIds,
        responses: responseIds,
        padId: this.tokenizer.padId,
      });
      const scores = tf.tidy(() => this.rewardModel.score(batch));
      try {
        out.push(...Array.from(await scores.data()));
      } finally {
        scores.dispose();
      }
    }
    return out;
  }

  /** Frees the reward model. */
  dispose(): void {
    this.rewardModel.dispose();
  }
}
