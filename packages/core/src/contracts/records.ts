/**
 * Records exchanged between stages and stored as JSONL (one object a line), so any tool can inspect or produce them.
 * Response texts exclude the EOS; token ids of responses include it when the response ended.
 */

/** A supervised fine-tuning demonstration. */
export interface SftExample {
  id: string;
  /** Prompt text exactly as the model sees it (the task's template applied). */
  prompt: string;
  /** Demonstration response text (without EOS). */
  response: string;
}

/** A prompt, optionally with a reference response (for win rate against the reference). */
export interface PromptExample {
  id: string;
  prompt: string;
  /** Reference response text (without EOS), e.g. the human TL;DR. */
  reference?: string;
}

/**
 * A labelled (or not yet labelled) pair of responses to one prompt. docs/data-formats.md.
 * Before labelling, `chosen` is the first sample and `rejected` the second.
 */
export interface PreferencePair {
  id: string;
  prompt: string;
  chosen: string;
  rejected: string;
  /** Prompt token ids (unpadded). */
  promptIds: number[];
  /** Response token ids up to and including the first EOS (no padding). */
  chosenIds: number[];
  rejectedIds: number[];
  /** Gold judge scores, set by labelling. */
  goldChosen?: number;
  goldRejected?: number;
  /** True when the gold scores tie (the pair is kept, labelled to the first response, excluded from accuracy). */
  tie?: boolean;
  /** Summed log-prob of each response under the sampler, recorded at sampling time (at `samplerTemperature`). */
  logpSamplerChosen?: number;
  logpSamplerRejected?: number;
  /**
   * Temperature the pair was sampled at (pure temperature sampling): the behaviour distribution is the sampler's
   * logits / this. The importance weights' denominator is computed at it. Absent in pairs from elsewhere.
   */
  samplerTemperature?: number;
  /** Log importance weight of the pair for reward-model training (absent = 0, weight 1). */
  logWeight?: number;
}
