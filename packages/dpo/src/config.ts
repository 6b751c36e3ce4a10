import { ConfigError, type ConfigNumberBounds, checkConfigNumber, checkRenamedFields } from '@ocrm/core';

/** Per-pair loss of the preference objective. */
export type DpoLossType =
  /** DPO (Rafailov et al. 2023): `−(1−ε) log σ(βh) − ε log σ(−βh)`. */
  | 'sigmoid'
  /** IPO (Azar et al. 2023): `(h − 1/(2β))²`. */
  | 'ipo';

/** How each pair's loss is weighted before averaging. */
export type DpoWeighting =
  /** Every pair counts 1 (DPO / IPO). */
  | 'none'
  /** WPO: `min(1, exp(u_w + u_l))` under the current policy, no gradient through the weight. */
  | 'wpo';

/**
 * Hyper-parameters of DPO / IPO / WPO training on labelled preference pairs (docs/algorithm.md).
 * Names follow TRL's `DPOConfig` where one exists.
 */
export interface DpoConfig {
  /** β, strength of the implicit KL penalty towards the reference (paper: 0.05). */
  beta: number;
  /** ε, assumed label-flip probability (cDPO); 0 = plain DPO. `sigmoid` loss only. In `[0, 0.5)`. */
  labelSmoothing: number;
  /** `'sigmoid'` (DPO, default) or `'ipo'`. */
  loss: DpoLossType;
  /** `'none'` (DPO, default) or `'wpo'`. */
  weighting: DpoWeighting;
  /** Peak learning rate of AdamW (TRL's DPOConfig default 1e-6; small models need more, see the presets). */
  learningRate: number;
  /** Pairs per optimizer step. */
  batchSize: number;
  /** Pairs per forward/backward (gradient accumulation); ≤ `batchSize`. Each pair is 2 sequences. */
  microBatchSize: number;
  /** Passes over the pairs (paper: 1). */
  epochs: number;
  /**
   * Number of pairs used: the first `maxPairs` non-tie pairs in input order (`null` = all). The authors used a subset
   * of 92,832 pairs; the pipeline passes the reward model's own pairs file and the same cap, so DPO/WPO see exactly
   * the pairs the RM was trained on (minus ties, which carry no preference).
   */
  maxPairs: number | null;
  /** Linear warm-up steps before the cosine decay to 0. */
  warmupSteps: number;
  /** AdamW ε. */
  epsilon: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** Global gradient-norm clip; 0 = off. */
  maxGradNorm: number;
  /** Seed of the data order (`rng(seed, 0, epoch)`). */
  seed: number;
  /** Save a checkpoint every N optimizer steps (needs `checkpointDir`); 0 = never. */
  checkpointEvery: number;
  /** Evaluate on `evalPairs` every N steps (and always at the end); 0 = only at the end. */
  evalEvery: number;
}

/** Defaults: the paper's DPO baseline (β 0.05, ε 0, one epoch, AdamW eps 1e-5, weight decay 0.01, cosine). */
export const DEFAULT_DPO_CONFIG: Readonly<DpoConfig> = Object.freeze({
  beta: 0.05,
  labelSmoothing: 0,
  loss: 'sigmoid',
  weighting: 'none',
  learningRate: 1e-6,
  batchSize: 64,
  microBatchSize: 8,
  epochs: 1,
  maxPairs: null,
  warmupSteps: 0,
  epsilon: 1e-5,
  weightDecay: 0.01,
  maxGradNorm: 0,
  seed: 0,
  checkpointEvery: 0,
  evalEvery: 0,
});

const POSITIVE: ConfigNumberBounds = { min: 0, minExclusive: true, finite: true };
const NON_NEGATIVE: ConfigNumberBounds = { min: 0, finite: true };
const integer = (min: number): ConfigNumberBounds => ({ min, integer: true });

/**
 * Fills a partial config with {@link DEFAULT_DPO_CONFIG} and validates it.
 * @param prefix - path prefix for error messages (e.g. `dpo`).
 * @throws ConfigError naming the bad field.
 */
export function resolveDpoConfig(partial: Partial<DpoConfig> = {}, prefix = 'dpo'): DpoConfig {
  const at = (field: string) => `${prefix}.${field}`;
  checkRenamedFields(partial, prefix);
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_DPO_CONFIG)) throw new ConfigError(at(key), 'unknown field.');
  }
  const config: DpoConfig = { ...DEFAULT_DPO_CONFIG, ...stripUndefined(partial) };
  const num = (field: keyof DpoConfig, bounds: ConfigNumberBounds) =>
    checkConfigNumber(at(field), config[field], bounds);
  num('beta', POSITIVE);
  num('labelSmoothing', { min: 0, max: 0.5, maxExclusive: true });
  if (config.loss !== 'sigmoid' && config.loss !== 'ipo') {
    throw new ConfigError(at('loss'), `must be 'sigmoid' or 'ipo', got ${JSON.stringify(config.loss)}`);
  }
  if (config.loss === 'ipo' && config.labelSmoothing !== 0) {
    throw new ConfigError(
      at('labelSmoothing'),
      'applies to the sigmoid (DPO) loss only; set it to 0 for IPO',
    );
  }
  if (config.weighting !== 'none' && config.weighting !== 'wpo') {
    throw new ConfigError(
      at('weighting'),
      `must be 'none' or 'wpo', got ${JSON.stringify(config.weighting)}`,
    );
  }
  num('learningRate', POSITIVE);
  num('batchSize', integer(1));
  num('microBatchSize', integer(1));
  if (config.microBatchSize > config.batchSize) {
    throw new ConfigError(
      at('microBatchSize'),
      `must be ≤ batchSize (${config.batchSize}), got ${config.microBatchSize}`,
    );
  }
  num('epochs', integer(1));
  if (config.maxPairs !== null) num('maxPairs', integer(1));
  num('warmupSteps', integer(0));
  num('epsilon', POSITIVE);
  num('weightDecay', NON_NEGATIVE);
  num('maxGradNorm', NON_NEGATIVE);
  num('seed', integer(0));
  num('checkpointEvery', integer(0));
  num('evalEvery', integer(0));
  return config;
}

function stripUndefined<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
