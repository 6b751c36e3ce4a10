import {
  ConfigError,
  type EvalContext,
  type Evaluator,
  type GoldJudge,
  type Policy,
  type PromptExample,
  type RewardModel,
  SPECIFICATION_VERSION,
  type Tokenizer,
} from '@ocrm/core';
import { evaluateGold } from './evaluate-gold';
import { klToReference } from './kl-to-reference';

/** Options of {@link createPolicyEvaluator}. */
export interface PolicyEvaluatorOptions {
  /** Fixed held-out prompts (the same at every evaluation). */
  prompts: readonly PromptExample[];
  /** Use only the first this many prompts for `eval/kl_sft` (default: all of them). */
  klPromptCount?: number;
  /** Temperature of the gold evaluation's responses (default 0: argmax; see `evaluateGold`). */
  temperature?: number;
  tokenizer: Tokenizer;
  judge: GoldJudge;
  /** Proxy reward model (the one PPO optimises); adds `eval/proxy`. */
  rewardModel?: RewardModel;
  /** The SFT policy, for `eval/kl_sft`. Absent: no KL. */
  sft?: Policy;
  maxNewTokens: number;
  /** Rollout temperature for the KL samples (default 0.7). */
  klTemperature?: number;
  /** Responses sampled per prompt for `eval/kl_sft` (default 1; more lowers the estimate's variance). */
  klSamplesPerPrompt?: number;
  /** Seed of the KL samples and of the gold samples at `temperature` > 0, fixed across evaluations (default 0). */
  seed?: number;
  microBatchSize?: number;
  /** Evaluator name (default `'gold'`). */
  name?: string;
}

/**
 * An {@link Evaluator} for PPO's `onEval` hook (the overoptimization curve): gold metrics at `temperature` (default
 * 0, argmax; see `evaluateGold`), the proxy score and `eval/kl_sft` (sampled at the rollout temperature with a fixed
 * seed, so successive points share random numbers). Honours `context.signal`.
 */
export function createPolicyEvaluator(options: PolicyEvaluatorOptions): Evaluator {
  const repeats = options.klSamplesPerPrompt ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new ConfigError('klSamplesPerPrompt', `must be a positive integer, got ${repeats}`);
  }
  const klPrompts = options.prompts.slice(0, options.klPromptCount ?? options.prompts.length);
  const encoded = klPrompts.map((p) => options.tokenizer.encode(p.prompt));
  const promptIds = Array.from({ length: repeats }, () => encoded).flat();
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: options.name ?? 'gold',
    async evaluate(policy: Policy, context: EvalContext): Promise<Record<string, number>> {
      const metrics = await evaluateGold(policy, {
        prompts: options.prompts,
        tokenizer: options.tokenizer,
        judge: options.judge,
        rewardModel: options.rewardModel,
        maxNewTokens: options.maxNewTokens,
        microBatchSize: options.microBatchSize,
        temperature: options.temperature,
        seed: options.seed,
        signal: context.signal,
      });
      if (options.sft) {
        metrics['eval/kl_sft'] = await klToReference(policy, options.sft, promptIds, {
          temperature: options.klTemperature ?? 0.7,
          maxNewTokens: options.maxNewTokens,
          seed: options.seed ?? 0,
          microBatchSize: options.microBatchSize,
          signal: context.signal,
        });
      }
      return metrics;
    },
  };
}
