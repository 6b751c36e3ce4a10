import { createRequire } from 'node:module';
import {
  type DataParallelOptions,
  drive,
  type EventHandler,
  GradientWorkers,
  InvalidArgumentError,
  type NamedVariables,
  type Policy,
  type RewardModel,
  requireMicroBatches,
  type TrainEvent,
  trainingLoop,
  type ValueModel,
} from '@ocrm/core';
import { type PpoConfig, ppoTotalUpdates, resolvePpoConfig } from './config';
import type { PpoReplicaOptions } from './ppo-replica';
import { collectRollout, type RolloutWorkers } from './rollout/collect-rollout';
import { promptIndices } from './rollout/prompt-order';
import type { RolloutPart, RolloutQuery } from './rollout/rollout-part';
import type { PpoMicroBatch } from './update/ppo-micro-batch';
import { PpoState, ppoLearningRate } from './update/ppo-state';
import { ppoUpdate } from './update/ppo-update';

/** Options of {@link trainPpo} / {@link trainPpoIter}. */
export interface TrainPpoOptions {
  /** The policy to train, in place (its `trainableVariables()` are updated). */
  policy: Policy;
  /** The critic, trained in place alongside the policy (initialised from the reward model, docs/algorithm.md). */
  critic: ValueModel;
  /** Scores rollouts; never trained. */
  rewardModel: RewardModel;
  /** Frozen KL reference (SFT, or the previous round's policy). Never trained. */
  reference: Policy;
  /** Training prompts as unpadded token ids. */
  prompts: readonly ArrayLike<number>[];
  /** Overrides of {@link DEFAULT_PPO_CONFIG}. */
  config?: Partial<PpoConfig>;
  /** Evaluation hook, run every `evalEvery` updates and after the last; `update` counts finished updates. */
  onEval?: (policy: Policy, update: number) => Promise<Record<string, number>>;
  /**
   * The run's checkpoint folder: written every `checkpointEvery` updates, at an early stop (`stopAfter`) and when
   * aborted; a run whose folder holds a checkpoint (same rollout batch size and seed) resumes from it.
   */
  checkpointDir?: string;
  /**
   * Continue an earlier PPO run when `checkpointDir` holds no checkpoint of its own: start from the checkpoint in
   * `warmStart.checkpointDir` (e.g. the previous OCRM round's, saved at its `stopAfter`) — the policy weights, the
   * AdamW moments and the update count, so the learning-rate schedule and the prompt order continue where it stopped
   * (`config.totalUpdates` and `config.seed` describe the whole schedule). With `critic: false` the critic passed
   * in keeps its weights (e.g. initialised from a new reward model) and gets fresh moments. Default `critic: true`.
   */
  warmStart?: { checkpointDir: string; critic?: boolean };
  /**
   * Stop after this many finished updates (default `totalUpdates`): one segment of a longer schedule. The state at
   * such an early stop is always checkpointed to `checkpointDir` (when given), so a later call can continue it.
   */
  stopAfter?: number;
  /** Stage name in events (default `'ppo'`). */
  stage?: string;
  signal?: AbortSignal;
  /** Receives every event (the Promise face, {@link trainPpo}). */
  onEvent?: EventHandler;
  /**
   * Compute each minibatch's micro-batches in worker threads too (Node; the same numbers bit for bit): needs
   * `policy.replica()` and `critic.replica()` recipes and ≥ 2 micro-batches a minibatch (`rolloutBatchSize /
   * numMinibatches / microBatchSize`). When the reference and the reward model have `replica()` recipes too, the
   * workers also sample and score their share of each rollout's micro-batches; else rollouts stay in this thread.
   * Absent: one thread.
   */
  dataParallel?: DataParallelOptions;
}

/** What a PPO run returns. */
export interface PpoResult {
  /** Updates finished in total (including those before a resume). */
  updates: number;
  /** Episodes (responses) sampled in total. */
  episodes: number;
  /** Metrics of the last update (empty when nothing ran). */
  metrics: Record<string, number>;
  /** Metrics of every update this call ran, in order. */
  history: Record<string, number>[];
  /** Results of the evaluation hook. */
  evals: { update: number; metrics: Record<string, number> }[];
}

/** `policy/<name>` and `critic/<name>` variables: the optimizer's and the checkpoint's keys. */
export function ppoVariables(policy: Policy, critic: ValueModel): NamedVariables {
  const out: NamedVariables = {};
  for (const [name, v] of Object.entries(policy.trainableVariables())) out[`policy/${name}`] = v;
  for (const [name, v] of Object.entries(critic.trainableVariables())) out[`critic/${name}`] = v;
  return out;
}

/**
 * PPO for language models (docs/algorithm.md): each update samples `rolloutBatchSize` responses, scores them, and runs
 * `ppoEpochs` of clipped policy and value optimisation with one AdamW over policy and critic (learning rate linear
 * to 0). Yields `run-start`, one `step-end` per update (metrics: `objective/kl`, `objective/scores`,
 * `objective/scores_std`, `objective/rlhf_reward`, `objective/entropy`, `policy/approxkl`, `policy/clipfrac`,
 * `val/clipfrac`, `loss/policy`, `loss/value`, `val/ratio`, `val/num_eos`, `val/response_length`, `lr`, `eps`,
 * `rollout/worker_rows` (rows sampled and scored in data-parallel workers), `time/*`), `eval-end`, `checkpoint`, `run-end`; returns a {@link PpoResult}.
 *
 * The policy and critic are trained in place; the caller keeps ownership of every model.
 */
export async function* trainPpoIter(options: TrainPpoOptions): AsyncGenerator<TrainEvent, PpoResult> {
  const config = resolvePpoConfig(options.config);
  const { policy, critic, rewardModel, reference, prompts, signal } = options;
  if (prompts.length === 0) throw new InvalidArgumentError('trainPpo: `prompts` is empty.');
  const stage = options.stage ?? 'ppo';
  const total = ppoTotalUpdates(config);
  const stop = options.stopAfter ?? total;
  if (!Number.isInteger(stop) || stop < 1 || stop > total) {
    throw new InvalidArgumentError(
      `trainPpo: \`stopAfter\` must be an integer in [1, ${total}], got ${stop}.`,
    );
  }
  const B = config.rolloutBatchSize;
  const variables = ppoVariables(policy, critic);
  if (!Object.keys(variables).some((name) => name.startsWith('policy/'))) {
    throw new InvalidArgumentError('trainPpo: the policy has no trainable variables (is it frozen?).', {
      hint: 'Pass a trainable policy (e.g. `sft.clone()`) and its frozen copy as `reference`.',
    });
  }
  const state = new PpoState(variables, config);
  let workers: PpoWorkers | undefined;
  try {
    // Inside the try: a worker that cannot start still releases the optimizer state.
    if (options.dataParallel) {
      workers = await startPpoWorkers(options, variables, config, options.dataParallel);
    }
    const rolloutWorkers: RolloutWorkers | undefined = workers?.rollouts
      ? { workers: workers.pool, variables }
      : undefined;
    const history: Record<string, number>[] = [];
    const evals: PpoResult['evals'] = [];
    const loop = yield* trainingLoop({
      stage,
      totalSteps: stop,
      variables,
      optimizer: state.optimizer,
      checkpointDir: options.checkpointDir,
      checkpointEvery: config.checkpointEvery,
      evalEvery: config.evalEvery,
      signal,
      dataPosition: (updates) => updates * B,
      checkpointExtra: () => state.checkpointExtra(),
      // A segment that stops before the schedule's end is always checkpointed: the next round continues it.
      checkpointAtEnd: stop < total,
      restore: async () => {
        const resumed = options.checkpointDir ? await state.restore(options.checkpointDir) : 0;
        if (resumed > 0 || !options.warmStart) return resumed;
        const start = await state.warmStart(
          options.warmStart.checkpointDir,
          options.warmStart.critic ?? true,
        );
        if (start >= stop) {
          throw new InvalidArgumentError(
            `trainPpo: the warm-start checkpoint ${options.warmStart.checkpointDir} is at update ${start}, ` +
              `at or past this run's stop (${stop}).`,
            { hint: 'Raise `stopAfter` / `totalUpdates`, or start without `warmStart`.' },
          );
        }
        return start;
      },
      step: async (update) => {
        const t0 = performance.now();
        const batchPrompts = promptIndices(prompts.length, B, update, config.seed).map(
          (i) => prompts[i] as ArrayLike<number>,
        );
        const models = { policy, reference, critic, rewardModel };
        // The signal is checked between updates only: an update always finishes (and can be checkpointed).
        const rollout = await collectRollout(models, batchPrompts, config, update, {
          workers: rolloutWorkers,
        });
        const t1 = performance.now();
        const lr = ppoLearningRate(config, update, total);
        const losses = await ppoUpdate({
          policy,
          critic,
          rollout,
          config,
          update,
          variables: state.variables,
          step: (grads) => state.step(grads, lr),
          workers: workers?.pool,
        });
        const seconds = (performance.now() - t0) / 1000;
        const metrics: Record<string, number> = {
          ...rollout.metrics,
          ...losses,
          lr,
          eps: B / seconds,
          episode: (update + 1) * B,
          'time/sampling': rollout.timing.sampling,
          'time/scoring': rollout.timing.scoring,
          'time/update': (performance.now() - t1) / 1000,
          'time/total': seconds,
        };
        history.push(metrics);
        return metrics;
      },
      evaluate: options.onEval
        ? async (done) => {
            const metrics = await (options.onEval as NonNullable<typeof options.onEval>)(policy, done);
            evals.push({ update: done, metrics });
            return metrics;
          }
        : undefined,
    });
    const metrics = history.at(-1) ?? {};
    yield { type: 'run-end', stage, step: loop.steps, metrics, time: Date.now() };
    return { updates: loop.steps, episodes: loop.steps * B, metrics, history, evals };
  } finally {
    await workers?.pool.close();
    state.dispose();
  }
}

/**
 * The Promise face of {@link trainPpoIter}: runs to the end, passing every event to `onEvent`.
 * @example
 * const result = await trainPpo({ policy, critic, rewardModel, reference, prompts, config: { totalUpdates: 50 } });
 */
export function trainPpo(options: TrainPpoOptions): Promise<PpoResult> {
  return drive(trainPpoIter(options), options.onEvent);
}

/** PPO's worker threads, and whether they take shares of the rollouts too. */
interface PpoWorkers {
  pool: GradientWorkers<PpoMicroBatch, RolloutQuery, RolloutPart>;
  rollouts: boolean;
}

/**
 * Starts PPO's data-parallel workers, each with copies of the policy and the critic built from their recipes, and of
 * the reference and the reward model when both have recipes (then the workers share the rollouts).
 */
async function startPpoWorkers(
  options: TrainPpoOptions,
  variables: NamedVariables,
  config: PpoConfig,
  parallel: DataParallelOptions,
): Promise<PpoWorkers> {
  const { policy, critic, reference, rewardModel } = options;
  const rows = config.rolloutBatchSize / config.numMinibatches;
  requireMicroBatches('trainPpo', 'ppo.microBatchSize', rows, config.microBatchSize);
  const policyRecipe = policy.replica?.();
  const criticRecipe = critic.replica?.();
  if (!policyRecipe || !criticRecipe) {
    throw new InvalidArgumentError(
      `trainPpo: data parallelism needs replica() recipes of the policy and the critic (${policyRecipe ? 'the critic' : 'the policy'} has none).`,
      {
        hint: 'CausalLMPolicy and ScalarRewardModel (without a feature cache) have them; drop dataParallel for other models.',
      },
    );
  }
  const referenceRecipe = reference.replica?.();
  const rewardRecipe = rewardModel.replica?.();
  const replica: PpoReplicaOptions = {
    policy: policyRecipe,
    critic: criticRecipe,
    loss: {
      temperature: config.temperature,
      clipRange: config.clipRange,
      clipRangeValue: config.clipRangeValue,
      vfCoef: config.vfCoef,
    },
    rollout:
      referenceRecipe && rewardRecipe
        ? {
            reference: referenceRecipe,
            rewardModel: rewardRecipe,
            config: {
              temperature: config.temperature,
              maxNewTokens: config.maxNewTokens,
              seed: config.seed,
              microBatchSize: config.microBatchSize,
              scorePosition: config.scorePosition,
            },
          }
        : undefined,
  };
  // Every weight the replica has, by its name there; the reference's and reward model's (trainable ones, if any)
  // are sent once at start and never synced (neither trains).
  const weights: NamedVariables = { ...variables };
  if (replica.rollout) {
    for (const [name, v] of Object.entries(reference.trainableVariables())) weights[`reference/${name}`] = v;
    for (const [name, v] of Object.entries(rewardModel.trainableVariables())) weights[`reward/${name}`] = v;
  }
  const pool = await GradientWorkers.start<PpoMicroBatch, RolloutQuery, RolloutPart>({
    count: parallel.workers,
    backend: parallel.backend,
    threads: parallel.threads,
    replica: {
      module: createRequire(import.meta.url).resolve('@ocrm/ppo/replica'),
      export: 'createPpoReplica',
      options: replica,
    },
    weights,
  });
  return { pool, rollouts: replica.rollout !== undefined };
}
