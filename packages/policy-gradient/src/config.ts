import { ConfigError, checkConfigNumber, checkRenamedFields } from '@ocrm/core';

/**
 * How a group's rewards become advantages (the optimizer's name):
 * - `rloo`: REINFORCE Leave-One-Out (Ahmadian et al. 2024; TRL `RLOOTrainer`): the reward carries the KL penalty,
 *   `r_i = score_i − β·KL_i`, the baseline of response i is the mean reward of the other k − 1 responses to its
 *   prompt, and the loss is PPO's clipped objective on the sequence-level ratio.
 * - `grpo`: Group Relative Policy Optimization (Shao et al. 2024; TRL `GRPOTrainer`): `A_i = (r_i − mean_g r) /
 *   (std_g r + 1e-4)` on the score alone, a per-token clipped objective averaged over each response's tokens, and the
 *   KL to the reference as a loss term `β·KL_t` (the k3 estimator `e^{ref−logp} − (ref−logp) − 1`).
 */
export type AdvantageEstimator = 'rloo' | 'grpo';

/**
 * Every hyper-parameter of the group policy-gradient optimizers (TRL's names in parentheses). Defaults:
 * {@link DEFAULT_RLOO_CONFIG}, {@link DEFAULT_GRPO_CONFIG}. The optimizer field names (`learningRate`, `warmupSteps`,
 * `weightDecay`, `epsilon`, `beta1`, `beta2`, `maxGradNorm`) are the ones every `@ocrm` trainer converges on.
 */
export interface PolicyGradientConfig {
  estimator: AdvantageEstimator;
  /** Responses sampled per prompt, k ≥ 2 (`rloo_k` / `num_generations`). */
  groupSize: number;
  /** Responses sampled per update (prompts per update × `groupSize`); a multiple of `groupSize`. */
  rolloutBatchSize: number;
  /** Sampling temperature; also the temperature of every log-prob computed (`temperature`). */
  temperature: number;
  /** Fixed response length in tokens, EOS included (`response_length` / `max_completion_length`). */
  maxNewTokens: number;
  /** KL coefficient β: in the reward for `rloo` (`kl_coef`), in the loss for `grpo` (`beta`). */
  klCoef: number;
  /** Score of a response without EOS instead of the reward model's (`missing_eos_penalty`); null = off. */
  missingEosPenalty: number | null;
  /** Whiten the advantages over the batch (`normalize_advantage`; `rloo` only — GRPO's are already scaled). */
  normalizeAdvantages: boolean;
  /** Passes over each rollout batch (`num_ppo_epochs` / `num_iterations`). */
  epochs: number;
  /** Minibatches (optimizer steps) per epoch (`num_mini_batches`); must divide `rolloutBatchSize`. */
  numMinibatches: number;
  /** Rows per forward/backward (memory only); also the row chunk of the no-gradient forwards. */
  microBatchSize: number;
  /** Ratio clip ε (`cliprange` / `epsilon`). */
  clipRange: number;
  /** Peak AdamW learning rate, decayed linearly to 0 over the run's optimizer steps (`learning_rate`). */
  learningRate: number;
  /** Optimizer steps of linear warmup from 0 (`warmup_steps`). */
  warmupSteps: number;
  /** AdamW decoupled weight decay (`weight_decay`). */
  weightDecay: number;
  /** AdamW ε (`adam_epsilon`). */
  epsilon: number;
  /** AdamW β1. */
  beta1: number;
  /** AdamW β2. */
  beta2: number;
  /** Clip the global gradient norm (`max_grad_norm`); 0 = off. */
  maxGradNorm: number;
  /** Updates (rollout + optimisation) of the run. */
  totalUpdates: number;
  /** Run the evaluation hook every this many updates (and after the last); 0 = only after the last. */
  evalEvery: number;
  /** Write a checkpoint every this many updates (besides the one on abort); 0 = only on abort. */
  checkpointEvery: number;
  /** Seed of prompt order, sampling and minibatch permutations. */
  seed: number;
}

const SHARED = {
  groupSize: 4,
  rolloutBatchSize: 512,
  temperature: 0.7,
  maxNewTokens: 53,
  missingEosPenalty: -1,
  normalizeAdvantages: false,
  epochs: 4,
  numMinibatches: 1,
  microBatchSize: 16,
  clipRange: 0.2,
  learningRate: 3e-6,
  warmupSteps: 0,
  weightDecay: 0,
  epsilon: 1e-5,
  beta1: 0.9,
  beta2: 0.999,
  maxGradNorm: 1,
  totalUpdates: 100,
  evalEvery: 10,
  checkpointEvery: 10,
  seed: 0,
} as const;

/**
 * RLOO defaults: PPO's TL;DR setting where the two share a field (rollout batch 512, temperature 0.7, β 0.05 in the
 * reward, 4 epochs, clip 0.2, AdamW ε 1e-5, lr 3e-6 linear to 0), k = 4 as TRL's examples, gradient norm clipped at
 * 1 as TRL. Frozen.
 */
export const DEFAULT_RLOO_CONFIG: Readonly<PolicyGradientConfig> = Object.freeze({
  ...SHARED,
  estimator: 'rloo',
  klCoef: 0.05,
} satisfies PolicyGradientConfig);

/** GRPO defaults: as {@link DEFAULT_RLOO_CONFIG} but β = 0.04 in the loss (TRL's original `beta`). Frozen. */
export const DEFAULT_GRPO_CONFIG: Readonly<PolicyGradientConfig> = Object.freeze({
  ...SHARED,
  estimator: 'grpo',
  klCoef: 0.04,
} satisfies PolicyGradientConfig);

/** Names of the same fields elsewhere (besides the shared optimizer renames), refused with the name used here. */
const RENAMED: Record<string, keyof PolicyGradientConfig> = {
  ppoEpochs: 'epochs',
  rlooK: 'groupSize',
  numGenerations: 'groupSize',
};

/**
 * Fills the defaults of `estimator` into a partial config and validates every field.
 * @param path - prefix of error paths (`rloo` → `rloo.groupSize`).
 * @throws ConfigError naming the bad field, e.g. when `groupSize` does not divide `rolloutBatchSize`.
 * @example resolvePolicyGradientConfig('grpo', { groupSize: 8, rolloutBatchSize: 64 })
 */
export function resolvePolicyGradientConfig(
  estimator: AdvantageEstimator,
  partial: Partial<PolicyGradientConfig> = {},
  path: string = estimator,
): PolicyGradientConfig {
  const defaults = estimator === 'rloo' ? DEFAULT_RLOO_CONFIG : DEFAULT_GRPO_CONFIG;
  checkRenamedFields(partial, path);
  for (const key of Object.keys(partial)) {
    const renamed = RENAMED[key];
    if (renamed) throw new ConfigError(`${path}.${key}`, `is named \`${renamed}\` here.`);
    if (!(key in defaults)) throw new ConfigError(`${path}.${key}`, 'unknown field.');
  }
  if (partial.estimator !== undefined && partial.estimator !== estimator) {
    throw new ConfigError(`${path}.estimator`, `must be '${estimator}' here, got '${partial.estimator}'.`);
  }
  const c: PolicyGradientConfig = { ...defaults, ...partial, estimator };
  const num = (key: keyof PolicyGradientConfig, bounds: Parameters<typeof checkConfigNumber>[2]) =>
    checkConfigNumber(`${path}.${key}`, c[key], bounds);
  num('groupSize', { min: 2, integer: true });
  for (const key of [
    'rolloutBatchSize',
    'maxNewTokens',
    'epochs',
    'numMinibatches',
    'microBatchSize',
  ] as const) {
    num(key, { min: 1, integer: true });
  }
  num('totalUpdates', { min: 1, integer: true });
  for (const key of ['evalEvery', 'checkpointEvery', 'seed', 'warmupSteps'] as const) {
    num(key, { min: 0, integer: true });
  }
  num('temperature', { min: 0, minExclusive: true, finite: true });
  num('klCoef', { min: 0, finite: true });
  num('clipRange', { min: 0, minExclusive: true, finite: true });
  num('learningRate', { min: 0, finite: true });
  num('weightDecay', { min: 0, finite: true });
  num('epsilon', { min: 0, minExclusive: true, finite: true });
  num('beta1', { min: 0, max: 1 });
  num('beta2', { min: 0, max: 1 });
  num('maxGradNorm', { min: 0, finite: true });
  if (c.missingEosPenalty !== null) num('missingEosPenalty', { finite: true });
  if (typeof c.normalizeAdvantages !== 'boolean') {
    throw new ConfigError(
      `${path}.normalizeAdvantages`,
      `must be true or false, got ${String(c.normalizeAdvantages)}.`,
    );
  }
  if (c.rolloutBatchSize % c.groupSize !== 0) {
    throw new ConfigError(
      `${path}.rolloutBatchSize`,
      `must be a multiple of groupSize (${c.groupSize}), got ${c.rolloutBatchSize}.`,
    );
  }
  if (c.rolloutBatchSize % c.numMinibatches !== 0) {
    throw new ConfigError(
      `${path}.numMinibatches`,
      `must divide rolloutBatchSize (${c.rolloutBatchSize}), got ${c.numMinibatches}.`,
    );
  }
  return c;
}
