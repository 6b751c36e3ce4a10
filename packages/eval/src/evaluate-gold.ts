import {
  type GoldJudge,
  InvalidArgumentError,
  type Policy,
  type PromptExample,
  type RewardModel,
  type Tokenizer,
  throwIfAborted,
} from '@ocrm/core';
import { responseIds, scoreBatch } from './batch-utils';
import { mean, winRate } from './stats';

/** Options of {@link evaluateGold}. */
export interface GoldEvalOptions {
  /** Held-out prompts; those with a `reference` count towards the win rate. */
  prompts: readonly PromptExample[];
  tokenizer: Tokenizer;
  judge: GoldJudge;
  /** Proxy reward model; adds `eval/proxy`. */
  rewardModel?: RewardModel;
  /** Response positions generated (fixed length; tokens after the first EOS are padding). */
  maxNewTokens: number;
  /** Rows per forward pass for sampling and RM scoring (default 16). */
  microBatchSize?: number;
  /**
   * Sampling temperature of the evaluated responses (default 0: argmax). A positive value evaluates the policy's
   * sampled behaviour, e.g. at PPO's rollout temperature: the distribution PPO actually optimises.
   */
  temperature?: number;
  /** Seed of the sampler (irrelevant at temperature 0, kept for the contract; default 0). */
  seed?: number;
  /** Receives every generated response with its scores (for reports and spot checks). */
  onResponses?: (rows: GoldEvalRow[]) => void;
  signal?: AbortSignal;
}

/** One evaluated prompt. */
export interface GoldEvalRow {
  id: string;
  prompt: string;
  response: string;
  ended: boolean;
  length: number;
  gold: number;
  referenceGold?: number;
  proxy?: number;
}

/**
 * Gold metrics of a policy's responses at `temperature` (default 0: argmax; fixed length, one response per prompt): `eval/gold` (mean gold score), `eval/win_rate`
 * against the reference responses (strict >) with `eval/tie_rate`, `eval/reference_gold`, `eval/proxy` (mean RM
 * score, when an RM is given), `eval/length` (response tokens through the first EOS) and `eval/eos_rate`.
 * Rates are fractions in [0, 1]. No tensor is left behind.
 */
export async function evaluateGold(
  policy: Policy,
  options: GoldEvalOptions,
): Promise<Record<string, number>> {
  const { prompts, tokenizer, judge, rewardModel, maxNewTokens, signal } = options;
  const microBatchSize = options.microBatchSize ?? 16;
  if (prompts.length === 0) throw new InvalidArgumentError('evaluateGold: no prompts');
  const temperature = options.temperature ?? 0;
  if (!(temperature >= 0)) {
    throw new InvalidArgumentError(`evaluateGold: temperature must be ≥ 0, got ${options.temperature}`);
  }
  throwIfAborted(signal);
  const sample = await policy.sample(
    prompts.map((p) => tokenizer.encode(p.prompt)),
    { temperature, maxNewTokens, lengthMode: 'fixed', seed: options.seed ?? 0, microBatchSize, signal },
  );
  const ids = responseIds(sample.batch);
  const ended = Array.from(sample.hasEos, (e) => e === 1);
  // Special tokens stay in the text (only the final EOS is cut), so a judge sees every token the policy produced.
  const texts = ids.map((row, i) =>
    tokenizer.decode(ended[i] ? row.slice(0, -1) : row, { skipSpecialTokens: false }),
  );
  const promptTexts = prompts.map((p) => p.prompt);
  const gold = await judge.score(promptTexts, texts, ended);

  const metrics: Record<string, number> = {
    'eval/gold': mean(gold),
    'eval/length': mean(ids.map((row) => row.length)),
    'eval/eos_rate': mean(ended.map(Number)),
  };

  const withReference = prompts.flatMap((p, i) => (p.reference === undefined ? [] : [i]));
  let referenceGold: number[] = [];
  if (withReference.length > 0) {
    throwIfAborted(signal);
    referenceGold = await judge.score(
      withReference.map((i) => promptTexts[i]!),
      withReference.map((i) => prompts[i]!.reference as string),
      withReference.map(() => true),
    );
    const wins = winRate(
      withReference.map((i) => gold[i]!),
      referenceGold,
    );
    metrics['eval/win_rate'] = wins.winRate;
    metrics['eval/tie_rate'] = wins.tieRate;
    metrics['eval/reference_gold'] = mean(referenceGold);
  }

  let proxy: Float64Array | undefined;
  if (rewardModel) {
    proxy = await scoreBatch(rewardModel, sample.batch, microBatchSize, signal);
    metrics['eval/proxy'] = mean(proxy);
  }

  if (options.onResponses) {
    const refByRow = new Map(withReference.map((row, k) => [row, referenceGold[k]!]));
    options.onResponses(
      prompts.map((p, i) => ({
        id: p.id,
        prompt: p.prompt,
        response: texts[i]!,
        ended: ended[i]!,
        length: ids[i]!.length,
        gold: gold[i]!,
        referenceGold: refByRow.get(i),
        proxy: proxy?.[i],
      })),
    );
  }
  return metrics;
}
