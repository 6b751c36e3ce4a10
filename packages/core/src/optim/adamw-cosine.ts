import { checkConfigNumber } from '../config/check-config-number';
import { ConfigError } from '../errors';
import { AdamW } from './adamw';
import { cosineSchedule, type LrSchedule } from './schedules';

/**
 * The optimizer fields of a supervised training config (SFT, reward model): AdamW with decoupled weight decay, a
 * linear warmup then a cosine decay, optional gradient clipping. A stage's `XxxConfig` extends it.
 */
export interface AdamWCosineConfig {
  /** Peak learning rate (after warmup), decayed by a cosine to `learningRate * minLearningRateRatio`. */
  learningRate: number;
  /** Fraction of the peak learning rate reached at the end of the cosine. */
  minLearningRateRatio: number;
  /** Linear warmup steps. */
  warmupSteps: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** AdamW epsilon (the reference's 1e-5). */
  epsilon: number;
  /** AdamW β1. */
  beta1: number;
  /** AdamW β2. */
  beta2: number;
  /** Clip the global gradient norm to this value; 0 = no clipping. */
  maxGradNorm: number;
}

/**
 * Validates the {@link AdamWCosineConfig} fields of a resolved config: learning rate ≥ 0, ratio and β in [0, 1],
 * integer warmup ≥ 0, weight decay ≥ 0, epsilon > 0, clip norm ≥ 0.
 * @param prefix - path prefix of the errors, with its dot (`'sft.'` → `sft.learningRate`).
 * @throws ConfigError naming the first bad field.
 */
export function checkAdamWCosineConfig(config: AdamWCosineConfig, prefix: string): void {
  checkConfigNumber(`${prefix}learningRate`, config.learningRate, { min: 0 });
  checkConfigNumber(`${prefix}minLearningRateRatio`, config.minLearningRateRatio, { min: 0, max: 1 });
  checkConfigNumber(`${prefix}warmupSteps`, config.warmupSteps, { min: 0, integer: true });
  checkConfigNumber(`${prefix}weightDecay`, config.weightDecay, { min: 0 });
  checkConfigNumber(`${prefix}epsilon`, config.epsilon, { min: 0, minExclusive: true });
  checkConfigNumber(`${prefix}beta1`, config.beta1, { min: 0, max: 1 });
  checkConfigNumber(`${prefix}beta2`, config.beta2, { min: 0, max: 1 });
  checkConfigNumber(`${prefix}maxGradNorm`, config.maxGradNorm, { min: 0 });
}

/**
 * The optimizer and learning-rate schedule of a run of `totalSteps` optimizer steps: an {@link AdamW} from the config
 * and a {@link cosineSchedule} from `learningRate` to `learningRate * minLearningRateRatio`, its warmup capped at
 * `totalSteps`.
 * @returns a new optimizer (the caller disposes it) and a pure schedule.
 * @example
 * const { optimizer, schedule } = createAdamWCosine(config, totalSteps);
 * try { optimizer.step(variables, grads, schedule(step)); } finally { optimizer.dispose(); }
 */
export function createAdamWCosine(
  config: AdamWCosineConfig,
  totalSteps: number,
): { optimizer: AdamW; schedule: LrSchedule } {
  const schedule = cosineSchedule({
    peakLr: config.learningRate,
    totalSteps,
    warmupSteps: Math.min(config.warmupSteps, totalSteps),
    minLr: config.learningRate * config.minLearningRateRatio,
  });
  const optimizer = new AdamW({
    learningRate: config.learningRate,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
    weightDecay: config.weightDecay,
  });
  return { optimizer, schedule };
}

/**
 * Former names of the optimizer fields, each mapped to the one name every `@ocrm` trainer uses (`epsilon`,
 * `warmupSteps`, `weightDecay`, …); resolvers refuse the former with a message naming the new.
 */
export const RENAMED_OPTIMIZER_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  eps: 'epsilon',
  adamEpsilon: 'epsilon',
  adam_epsilon: 'epsilon',
  warmup: 'warmupSteps',
  warmupUpdates: 'warmupSteps',
  warmup_steps: 'warmupSteps',
  weight_decay: 'weightDecay',
});

/**
 * Refuses a former optimizer field name in a partial config, naming the new one.
 * @param section - the config section (`sft`, `ppo`, …), the error's path prefix.
 * @throws ConfigError `<section>.<old name>`: "is named `<new name>` now".
 */
export function checkRenamedFields(partial: object, section: string): void {
  for (const key of Object.keys(partial)) {
    const renamed = RENAMED_OPTIMIZER_FIELDS[key];
    if (renamed) throw new ConfigError(`${section}.${key}`, `is named \`${renamed}\` now.`);
  }
}
