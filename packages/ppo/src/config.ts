import { ConfigError, type ConfigNumberBounds, checkConfigNumber, checkRenamedFields } from '@ocrm/core';

/** Where the sequence score is added to the per-token rewards. */
export type ScorePosition =
  /** At the EOS token (the last valid response token); the common choice and the default. */
  | 'eos'
  /** One slot after the EOS, with the critic's value kept valid there (the reference code's choice). A response
   * whose EOS is the last position gets the score at the EOS. */
  | 'eosPlus1';

/**
 * Every hyper-parameter of PPO for language models (docs/algorithm.md, after Huang et al. 2024, "The N+ Implementation
 * Details of RLHF with PPO"). Defaults: {@link DEFAULT_PPO_CONFIG}. Names in parentheses are TRL's / the paper's.
 */
export interface PpoConfig {
  /** Prompts sampled per update, one response each (paper: 512; `local_rollout_batch_size`). */
  rolloutBatchSize: number;
  /** Rollout sampling temperature; also the temperature of every log-prob PPO computes (`temperature`). */
  temperature: number;
  /** Fixed response length in tokens, EOS included (`response_length`). */
  maxNewTokens: number;
  /** KL penalty coefficient β (`kl_coef`). */
  klCoef: number;
  /** Where the score enters the rewards (default `'eos'`; official `ppo.py`: `'eosPlus1'`). */
  scorePosition: ScorePosition;
  /** Score given to a response without EOS instead of the reward model's (paper: -1; `penalty_reward_value`);
   * `null` switches the penalty off (the reward model's score at the last token is used). */
  missingEosPenalty: number | null;
  /** Whiten the per-token rewards over valid tokens (mean kept; `whiten_rewards`). */
  whitenRewards: boolean;
  /** Discount γ (`gamma`). */
  gamma: number;
  /** GAE λ (`lam`; "λ in the paper"). */
  gaeLambda: number;
  /** Passes over each rollout batch (`num_ppo_epochs`). */
  ppoEpochs: number;
  /** Minibatches (optimizer steps) per PPO epoch (`num_mini_batches`); must divide `rolloutBatchSize`. */
  numMinibatches: number;
  /** Rows per forward/backward; gradients accumulate over a minibatch's micro-batches. Bounds memory only
   * (`per_device_train_batch_size`); also the row chunk of the rollout's no-gradient forwards. */
  microBatchSize: number;
  /** Policy ratio clip ε (`cliprange`). */
  clipRange: number;
  /** Value clip (`cliprange_value`). */
  clipRangeValue: number;
  /** Value-loss coefficient (`vf_coef`). */
  vfCoef: number;
  /** Peak learning rate of AdamW, decayed linearly to 0 over the run (`learning_rate`). */
  learningRate: number;
  /** Updates of linear learning-rate warmup from 0 at the start of the run (Hugging Face's
   * `get_linear_schedule_with_warmup`: the first update has lr 0); 0 = none, as the reference. For runs that start
   * from an already-optimised policy with a fresh optimizer (a later OCRM / iterated round), which can break down in
   * their first updates at the full rate (docs/results.md; there 5 warmup updates delayed the breakdown, not more). */
  warmupSteps: number;
  /** AdamW ε (`eps`; 1e-5 as in the reference, not PyTorch's 1e-8). */
  epsilon: number;
  /** Decoupled weight decay of AdamW (`weight_decay`; default 0; official `ppo.py`: torch's AdamW default 0.01). */
  weightDecay: number;
  /** AdamW β1. */
  beta1: number;
  /** AdamW β2. */
  beta2: number;
  /** Number of PPO updates (rollout + optimisation); takes precedence over `totalEpisodes`. */
  totalUpdates: number | null;
  /** Episodes (sampled responses) of the run when `totalUpdates` is null: `ceil(totalEpisodes / rolloutBatchSize)`
   * updates (`total_episodes`). */
  totalEpisodes: number | null;
  /** Run `onEval` every this many updates (and after the last); 0 = only after the last. */
  evalEvery: number;
  /** Write a checkpoint every this many updates (needs `checkpointDir`); 0 = never. */
  checkpointEvery: number;
  /** Seed of every random choice: prompt order, sampling, minibatch permutations. */
  seed: number;
}

/**
 * The defaults: the authors' TL;DR setting (rollout batch 512, response length 53, temperature 0.7, β 0.05, GAE
 * γ 1 / λ 0.95, 4 epochs, 1 minibatch, clips 0.2, vf 0.1, AdamW ε 1e-5, lr 3e-6 linear to 0). `totalUpdates`,
 * `evalEvery` and `checkpointEvery` are run-size choices, not the paper's. Tiny models want a far larger lr. Frozen.
 */
export const DEFAULT_PPO_CONFIG: Readonly<PpoConfig> = Object.freeze({
  rolloutBatchSize: 512,
  temperature: 0.7,
  maxNewTokens: 53,
  klCoef: 0.05,
  scorePosition: 'eos',
  missingEosPenalty: -1,
  whitenRewards: false,
  gamma: 1,
  gaeLambda: 0.95,
  ppoEpochs: 4,
  numMinibatches: 1,
  microBatchSize: 16,
  clipRange: 0.2,
  clipRangeValue: 0.2,
  vfCoef: 0.1,
  learningRate: 3e-6,
  warmupSteps: 0,
  epsilon: 1e-5,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  totalUpdates: 100,
  totalEpisodes: null,
  evalEvery: 10,
  checkpointEvery: 10,
  seed: 0,
} satisfies PpoConfig);

function check(ok: boolean, path: string, message: string): void {
  if (!ok) throw new ConfigError(`ppo.${path}`, message);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Fills the defaults into a partial config and validates every field.
 *
 * @throws ConfigError naming the bad field (`ppo.klCoef`), e.g. when `numMinibatches` does not divide
 *   `rolloutBatchSize` or neither `totalUpdates` nor `totalEpisodes` is set.
 * @example resolvePpoConfig({ klCoef: 0.1, totalUpdates: 200 })
 */
export function resolvePpoConfig(partial: Partial<PpoConfig> = {}): PpoConfig {
  checkRenamedFields(partial, 'ppo');
  for (const key of Object.keys(partial)) {
    check(key in DEFAULT_PPO_CONFIG, key, 'unknown field.');
  }
  const c: PpoConfig = { ...DEFAULT_PPO_CONFIG, ...partial };
  if (
    partial.totalEpisodes !== undefined &&
    partial.totalEpisodes !== null &&
    partial.totalUpdates === undefined
  ) {
    c.totalUpdates = null; // the caller chose episodes
  }
  const num = (key: keyof PpoConfig, bounds: ConfigNumberBounds) =>
    checkConfigNumber(`ppo.${key}`, c[key], bounds);
  for (const key of [
    'rolloutBatchSize',
    'maxNewTokens',
    'ppoEpochs',
    'numMinibatches',
    'microBatchSize',
  ] as const) {
    num(key, { min: 1, integer: true });
  }
  for (const key of ['evalEvery', 'checkpointEvery', 'seed', 'warmupSteps'] as const) {
    num(key, { min: 0, integer: true });
  }
  num('temperature', { min: 0, minExclusive: true, finite: true });
  num('klCoef', { min: 0, finite: true });
  check(
    c.scorePosition === 'eos' || c.scorePosition === 'eosPlus1',
    'scorePosition',
    `must be 'eos' or 'eosPlus1', got ${String(c.scorePosition)}.`,
  );
  check(
    c.missingEosPenalty === null || isFiniteNumber(c.missingEosPenalty),
    'missingEosPenalty',
    'must be a finite number or null.',
  );
  check(typeof c.whitenRewards === 'boolean', 'whitenRewards', 'must be a boolean.');
  num('gamma', { min: 0, max: 1 });
  num('gaeLambda', { min: 0, max: 1 });
  for (const key of ['clipRange', 'clipRangeValue', 'learningRate', 'epsilon'] as const) {
    num(key, { min: 0, minExclusive: true, finite: true });
  }
  for (const key of ['vfCoef', 'weightDecay'] as const) num(key, { min: 0, finite: true });
  for (const key of ['beta1', 'beta2'] as const) num(key, { min: 0, max: 1, maxExclusive: true });
  check(
    c.rolloutBatchSize % c.numMinibatches === 0,
    'numMinibatches',
    `must divide rolloutBatchSize (${c.rolloutBatchSize}), got ${c.numMinibatches}.`,
  );
  if (c.totalUpdates !== null) {
    num('totalUpdates', { min: 1, integer: true });
  } else {
    check(
      isPositiveInt(c.totalEpisodes),
      'totalEpisodes',
      'must be a positive integer when totalUpdates is null (set one of them).',
    );
  }
  return c;
}

/** Number of PPO updates a resolved config runs: `totalUpdates`, else `ceil(totalEpisodes / rolloutBatchSize)`. */
export function ppoTotalUpdates(config: PpoConfig): number {
  if (config.totalUpdates !== null) return config.totalUpdates;
  return Math.ceil((config.totalEpisodes as number) / config.rolloutBatchSize);
}
