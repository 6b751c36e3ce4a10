import { ConfigError } from '../errors';

/** A learning-rate schedule: `step` = optimizer steps already taken (0 for the first update) → lr. */
export type LrSchedule = (step: number) => number;

/** Options of {@link cosineSchedule} and {@link linearSchedule}. */
export interface ScheduleOptions {
  /** Learning rate at the end of the warmup. */
  peakLr: number;
  /** Optimizer steps of the whole run; the decay reaches `minLr` there and stays. */
  totalSteps: number;
  /** Linear warmup from 0 over this many steps. Default 0. */
  warmupSteps?: number;
  /** Floor of the decay. Default 0. */
  minLr?: number;
}

function validate(name: string, options: ScheduleOptions): Required<ScheduleOptions> {
  const { peakLr, totalSteps, warmupSteps = 0, minLr = 0 } = options;
  if (!Number.isFinite(peakLr) || peakLr < 0)
    throw new ConfigError(`${name}.peakLr`, `must be ≥ 0, got ${peakLr}.`);
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) {
    throw new ConfigError(`${name}.totalSteps`, `must be a positive integer, got ${totalSteps}.`);
  }
  if (!Number.isSafeInteger(warmupSteps) || warmupSteps < 0 || warmupSteps > totalSteps) {
    throw new ConfigError(
      `${name}.warmupSteps`,
      `must be an integer in [0, totalSteps], got ${warmupSteps}.`,
    );
  }
  if (!Number.isFinite(minLr) || minLr < 0 || minLr > peakLr) {
    throw new ConfigError(`${name}.minLr`, `must be in [0, peakLr], got ${minLr}.`);
  }
  return { peakLr, totalSteps, warmupSteps, minLr };
}

/** Decay progress in [0, 1] after the warmup. */
function progress(step: number, o: Required<ScheduleOptions>): number {
  return Math.min(1, (step - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps));
}

/**
 * Linear warmup then cosine decay, as Hugging Face's `get_cosine_schedule_with_warmup` (with a floor):
 * `step < warmup`: `peakLr · step / warmup` (so the very first update of a warmup has lr 0, as in HF);
 * after: `minLr + (peakLr − minLr) · ½(1 + cos(π · progress))`, progress = (step − warmup) / (total − warmup).
 */
export function cosineSchedule(options: ScheduleOptions): LrSchedule {
  const o = validate('cosineSchedule', options);
  return (step) => {
    if (step < o.warmupSteps) return (o.peakLr * step) / o.warmupSteps;
    return o.minLr + (o.peakLr - o.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress(step, o)));
  };
}

/**
 * Linear warmup then linear decay to `minLr` (default 0) at `totalSteps`, as Hugging Face's
 * `get_linear_schedule_with_warmup`: after the warmup `minLr + (peakLr − minLr) · (1 − progress)`.
 */
export function linearSchedule(options: ScheduleOptions): LrSchedule {
  const o = validate('linearSchedule', options);
  return (step) => {
    if (step < o.warmupSteps) return (o.peakLr * step) / o.warmupSteps;
    return o.minLr + (o.peakLr - o.minLr) * (1 - progress(step, o));
  };
}

/** The same learning rate at every step. */
export function constantSchedule(lr: number): LrSchedule {
  if (!Number.isFinite(lr) || lr < 0) throw new ConfigError('constantSchedule.lr', `must be ≥ 0, got ${lr}.`);
  return () => lr;
}
