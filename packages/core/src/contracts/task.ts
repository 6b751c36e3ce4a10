import type { SpecificationVersion } from './common';
import type { GoldJudge } from './gold-judge';
import type { PromptExample, SftExample } from './records';
import type { Tokenizer } from './tokenizer';

/**
 * A task bundles what a run needs besides models: a tokenizer, SFT demonstrations, training prompts (for pair
 * sampling and PPO), held-out evaluation prompts with reference responses, and the gold judge.
 */
export interface Task {
  readonly specificationVersion: SpecificationVersion;
  readonly name: string;
  readonly tokenizer: Tokenizer;
  readonly judge: GoldJudge;
  /** SFT demonstrations (train split). */
  readonly sftTrain: readonly SftExample[];
  /** SFT demonstrations held out for eval loss. */
  readonly sftEval: readonly SftExample[];
  /** Prompts for pair sampling and PPO rollouts. */
  readonly trainPrompts: readonly PromptExample[];
  /** Held-out prompts with references (evaluation). */
  readonly evalPrompts: readonly PromptExample[];
  /** Maximum prompt length in tokens (prompts are truncated or rejected beyond it). */
  readonly maxPromptTokens: number;
  /** Response length in tokens, EOS included (`maxNewTokens` of sampling). */
  readonly maxResponseTokens: number;
}
