import {
  AdamW,
  cosineSchedule,
  drive,
  GradientAccumulator,
  InvalidArgumentError,
  type Policy,
  type PreferencePair,
  permutation,
  rng,
  type TrainEvent,
  throwIfAborted,
  trainingLoop,
} from '@ocrm/core';
import { type DpoConfig, resolveDpoConfig } from './config';
import { evaluatePreferencePairs } from './evaluate-pairs';
import { pairLogProbSums } from './pair-batches';
import { trainStep } from './train-step';

/** Options of {@link trainDpo} / {@link trainDpoIter}. */
export interface TrainDpoOptions {
  /** The policy to train (usually the SFT model). Updated in place; the caller keeps ownership. */
  policy: Policy;
  /** Frozen reference π_ref. Absent: `policy.freeze()` at the start (the SFT model), disposed once the reference sums are computed. */
  reference?: Policy;
  /** Labelled pairs (`chosen` preferred). Tie pairs (`tie: true`) are skipped; `config.maxPairs` caps the rest. */
  pairs: readonly PreferencePair[];
  config?: Partial<DpoConfig>;
  /** Held-out pairs, evaluated every `config.evalEvery` steps and at the end (`eval/…` metrics). */
  evalPairs?: readonly PreferencePair[];
  /**
   * The run's checkpoint folder (core's format, the latest kept): written every `config.checkpointEvery` steps, at the
   * end and when aborted; a run whose folder holds a checkpoint resumes from it (the data order is a function of the
   * seed, so the result equals an uninterrupted run; pass the original `reference`, e.g. SFT).
   */
  checkpointDir?: string;
  /** Stage name in events (default `dpo`, `ipo` or `wpo`). */
  stage?: string;
  signal?: AbortSignal;
  /** Receives every event (used by {@link trainDpo}). */
  onEvent?: (event: TrainEvent) => void | Promise<void>;
}

/** What training returns. */
export interface DpoResult {
  /** The trained policy (the same object as `options.policy`). */
  policy: Policy;
  /** The resolved config. */
  config: DpoConfig;
  /** Optimizer steps taken. */
  steps: number;
  /** Pairs trained on (after skipping ties and applying `maxPairs`). */
  pairsUsed: number;
  /** Tie pairs skipped. */
  tiesSkipped: number;
  /** Metrics of the last step (`loss/dpo`, `rewards/…`, `train/lr`, …). */
  metrics: Record<string, number>;
  /** Final `eval/…` metrics on `evalPairs` (empty without them). */
  evalMetrics: Record<string, number>;
}

/** Non-tie pairs in input order, capped at `maxPairs`. */
export function selectPairs(
  pairs: readonly PreferencePair[],
  maxPairs: number | null,
): { pairs: PreferencePair[]; tiesSkipped: number } {
  const usable = pairs.filter((pair) => pair.tie !== true);
  return {
    pairs: maxPairs === null ? usable : usable.slice(0, maxPairs),
    tiesSkipped: pairs.length - usable.length,
  };
}

function defaultStage(config: DpoConfig): string {
  if (config.weighting === 'wpo') return 'wpo';
  return config.loss === 'ipo' ? 'ipo' : 'dpo';
}

/**
 * Trains `policy` on labelled pairs with DPO (or IPO, or WPO-weighted DPO), yielding events and returning the
 * result. Reference log-prob sums are computed once up front (no gradient); each step takes `batchSize` pairs in a
 * seeded shuffled order (`rng(seed, 0, epoch)`), accumulates `microBatchSize`-pair gradients, and applies AdamW with
 * linear warm-up then cosine decay to 0. Abort with `signal` (checked between micro-batches): an `AbortError` is
 * thrown and the reference it created is disposed.
 *
 * Events: `run-start`, `step-end` (metrics `loss/dpo`, `rewards/chosen|rejected|margins|accuracies`,
 * `logps/chosen|rejected`, `wpo/weight_mean`, `grad/norm`, `train/lr`), `eval-end`, `checkpoint`, `run-end`.
 */
export async function* trainDpoIter(
  options: TrainDpoOptions,
): AsyncGenerator<TrainEvent, DpoResult, undefined> {
  const config = resolveDpoConfig(options.config);
  const stage = options.stage ?? defaultStage(config);
  const { pairs, tiesSkipped } = selectPairs(options.pairs, config.maxPairs);
  if (pairs.length === 0) {
    throw new InvalidArgumentError('trainDpo: no usable pairs (all are ties, or none were given).');
  }
  if (config.checkpointEvery > 0 && !options.checkpointDir) {
    throw new InvalidArgumentError('trainDpo: `config.checkpointEvery` > 0 needs `checkpointDir`.');
  }
  throwIfAborted(options.signal);
  const { policy, signal } = options;
  const variables = policy.trainableVariables();
  if (Object.keys(variables).length === 0) {
    throw new InvalidArgumentError('trainDpo: the policy has no trainable variables (is it frozen?).');
  }
  // A reference we create is needed only for the sums up front: freed right after them (or on error).
  let ownedReference = options.reference ? undefined : policy.freeze();
  const reference = options.reference ?? (ownedReference as Policy);
  const optimizer = new AdamW({
    learningRate: config.learningRate,
    epsilon: config.epsilon,
    weightDecay: config.weightDecay,
  });
  const accumulator = new GradientAccumulator();
  try {
    const micro = { microBatchSize: config.microBatchSize, signal };
    const refSums = pairLogProbSums(reference, pairs, micro);
    const evalPairs = options.evalPairs ?? [];
    const evalRef = evalPairs.length > 0 ? pairLogProbSums(reference, evalPairs, micro) : undefined;
    ownedReference?.dispose();
    ownedReference = undefined;
    const stepsPerEpoch = Math.ceil(pairs.length / config.batchSize);
    const totalSteps = stepsPerEpoch * config.epochs;
    const schedule = cosineSchedule({
      peakLr: config.learningRate,
      totalSteps,
      warmupSteps: Math.min(config.warmupSteps, totalSteps),
    });
    const evaluate = () =>
      evalRef
        ? evaluatePreferencePairs({ policy, pairs: evalPairs, reference: evalRef, config, signal })
        : {};
    // Step s of the run is step s mod stepsPerEpoch of epoch ⌊s / stepsPerEpoch⌋ (each epoch its own permutation).
    const orders = new Map<number, number[]>();
    const orderOf = (epoch: number) => {
      let order = orders.get(epoch);
      if (!order) {
        order = permutation(pairs.length, rng(config.seed, 0, epoch));
        orders.set(epoch, order);
      }
      return order;
    };
    let metrics: Record<string, number> = {};
    let epoch = 0;
    const loop = yield* trainingLoop({
      stage,
      totalSteps,
      variables,
      optimizer,
      checkpointDir: options.checkpointDir,
      checkpointEvery: config.checkpointEvery,
      evalEvery: config.evalEvery,
      signal,
      dataPosition: (steps) => steps * config.batchSize,
      checkpointExtra: () => ({ epoch, config }),
      step: (step) => {
        epoch = Math.floor(step / stepsPerEpoch);
        const s = step % stepsPerEpoch;
        const indices = orderOf(epoch).slice(s * config.batchSize, (s + 1) * config.batchSize);
        metrics = trainStep({
          policy,
          pairs,
          indices,
          refSums,
          config,
          variables,
          optimizer,
          accumulator,
          lr: schedule(step),
          signal,
        });
        metrics['train/epoch'] = epoch + (s + 1) / stepsPerEpoch;
        return metrics;
      },
      evaluate: evalRef ? evaluate : undefined,
    });
    const evalMetrics = loop.lastEval;
    yield {
      type: 'run-end',
      stage,
      step: loop.steps,
      metrics: { ...metrics, ...evalMetrics },
      time: Date.now(),
    };
    return { policy, config, steps: loop.steps, pairsUsed: pairs.length, tiesSkipped, metrics, evalMetrics };
  } finally {
    accumulator.dispose();
    optimizer.dispose();
    ownedReference?.dispose();
  }
}

/** Promise face of {@link trainDpoIter}: runs it to the end, passing events to `options.onEvent`. */
export function trainDpo(options: TrainDpoOptions): Promise<DpoResult> {
  return drive(trainDpoIter(options), options.onEvent);
}
