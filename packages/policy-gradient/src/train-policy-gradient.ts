import {
  AdamW,
  drive,
  type EventHandler,
  epochOrder,
  InvalidArgumentError,
  linearSchedule,
  type NamedVariables,
  type Policy,
  type RewardModel,
  type TrainEvent,
  trainingLoop,
} from '@ocrm/core';
import { type AdvantageEstimator, type PolicyGradientConfig, resolvePolicyGradientConfig } from './config';
import { collectGroupRollout } from './rollout/group-rollout';
import { groupUpdate } from './update/group-update';

/** RNG stream of the prompt order (passes over the prompts, `epochOrder`). */
export const PROMPT_STREAM = 0x47520002;

/** Options of {@link trainPolicyGradient} / {@link trainPolicyGradientIter}. */
export interface TrainPolicyGradientOptions {
  /** The policy to train, in place. */
  policy: Policy;
  /** Frozen KL reference. Never trained. */
  reference: Policy;
  /** Scores the sampled responses. Never trained. */
  rewardModel: RewardModel;
  /** Training prompts as unpadded token ids. */
  prompts: readonly ArrayLike<number>[];
  /** `rloo` or `grpo`: picks the defaults and the advantage/loss (see {@link AdvantageEstimator}). */
  estimator: AdvantageEstimator;
  /** Overrides of the estimator's defaults. */
  config?: Partial<PolicyGradientConfig>;
  /** Evaluation hook, every `evalEvery` updates and after the last; `update` counts finished updates. */
  onEval?: (policy: Policy, update: number) => Promise<Record<string, number>>;
  /** Checkpoint folder: resumed from when it holds one; written every `checkpointEvery` updates and on abort. */
  checkpointDir?: string;
  /** Stage name in events (default the estimator's name). */
  stage?: string;
  signal?: AbortSignal;
  /** Receives every event (the Promise face). */
  onEvent?: EventHandler;
}

/** What a run returns. */
export interface PolicyGradientResult {
  /** Updates finished in total (including those before a resume). */
  updates: number;
  /** Responses sampled in total. */
  episodes: number;
  /** Metrics of the last update (empty when nothing ran). */
  metrics: Record<string, number>;
  /** Metrics of every update this call ran. */
  history: Record<string, number>[];
  /** Results of the evaluation hook. */
  evals: { update: number; metrics: Record<string, number> }[];
}

/** `policy/<name>` variables: the optimizer's and the checkpoint's keys (PPO's layout, without a critic). */
function policyVariables(policy: Policy): NamedVariables {
  const out: NamedVariables = {};
  for (const [name, v] of Object.entries(policy.trainableVariables())) out[`policy/${name}`] = v;
  return out;
}

/**
 * RLOO or GRPO for language models: each update takes `rolloutBatchSize / groupSize` prompts (shuffled passes),
 * samples `groupSize` responses to each, scores them, computes group-baselined advantages and runs `epochs` passes of
 * the clipped objective in `numMinibatches` AdamW steps (lr linear to 0 over the run's steps). No critic. Yields
 * `run-start`, one `step-end` per update (`objective/scores`, `objective/kl`, `objective/rlhf_reward`,
 * `objective/entropy`, `loss/policy`, `policy/clipfrac`, `policy/approxkl`, `policy/kl_term`, `grad/norm`, `lr`,
 * `val/*`, `time/*`), `eval-end`, `checkpoint`, `run-end`. Resumes from `checkpointDir` to the same final policy an
 * uninterrupted run reaches; an abort finishes the current update, checkpoints it and rejects.
 */
export async function* trainPolicyGradientIter(
  options: TrainPolicyGradientOptions,
): AsyncGenerator<TrainEvent, PolicyGradientResult> {
  const config = resolvePolicyGradientConfig(options.estimator, options.config);
  const { policy, reference, rewardModel, prompts, signal } = options;
  if (prompts.length === 0)
    throw new InvalidArgumentError(`train ${config.estimator}: \`prompts\` is empty.`);
  const stage = options.stage ?? config.estimator;
  const variables = policyVariables(policy);
  if (Object.keys(variables).length === 0) {
    throw new InvalidArgumentError(
      `train ${config.estimator}: the policy has no trainable variables (is it frozen?).`,
      {
        hint: 'Pass a trainable policy (e.g. `sft.clone()`) and its frozen copy as `reference`.',
      },
    );
  }
  const total = config.totalUpdates;
  const B = config.rolloutBatchSize;
  const P = B / config.groupSize;
  const stepsPerUpdate = config.epochs * config.numMinibatches;
  const schedule = linearSchedule({
    peakLr: config.learningRate,
    totalSteps: total * stepsPerUpdate,
    warmupSteps: Math.min(config.warmupSteps, total * stepsPerUpdate),
  });
  const optimizer = new AdamW({
    learningRate: config.learningRate,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
    weightDecay: config.weightDecay,
  });
  const promptAt = epochOrder(prompts.length, config.seed, PROMPT_STREAM);
  try {
    const history: Record<string, number>[] = [];
    const evals: PolicyGradientResult['evals'] = [];
    const loop = yield* trainingLoop({
      stage,
      totalSteps: total,
      variables,
      optimizer,
      checkpointDir: options.checkpointDir,
      checkpointEvery: config.checkpointEvery,
      evalEvery: config.evalEvery,
      signal,
      dataPosition: (updates) => updates * P,
      step: async (update) => {
        const t0 = performance.now();
        const updatePrompts = Array.from(
          { length: P },
          (_, j) => prompts[promptAt(update * P + j)] as ArrayLike<number>,
        );
        const rollout = await collectGroupRollout(
          { policy, reference, rewardModel },
          updatePrompts,
          config,
          update,
        );
        const t1 = performance.now();
        const lr = schedule(update * stepsPerUpdate);
        const losses = groupUpdate({
          policy,
          variables,
          optimizer,
          schedule,
          rollout,
          config,
          update,
          step: update * stepsPerUpdate,
        });
        const seconds = (performance.now() - t0) / 1000;
        const metrics: Record<string, number> = {
          ...rollout.metrics,
          ...losses,
          lr,
          eps: B / seconds,
          episode: (update + 1) * B,
          'time/rollout': (t1 - t0) / 1000,
          'time/update': (performance.now() - t1) / 1000,
          'time/total': seconds,
        };
        history.push(metrics);
        return metrics;
      },
      evaluate: options.onEval
        ? async (updates) => {
            const metrics = await (options.onEval as NonNullable<typeof options.onEval>)(policy, updates);
            evals.push({ update: updates, metrics });
            return metrics;
          }
        : undefined,
    });
    const metrics = history.at(-1) ?? {};
    yield { type: 'run-end', stage, step: loop.steps, metrics, time: Date.now() };
    return { updates: loop.steps, episodes: loop.steps * B, metrics, history, evals };
  } finally {
    optimizer.dispose();
  }
}

/**
 * The Promise face of {@link trainPolicyGradientIter}.
 * @example
 * const result = await trainPolicyGradient({ policy, reference, rewardModel, prompts, estimator: 'rloo',
 *   config: { groupSize: 4, rolloutBatchSize: 64, totalUpdates: 50, learningRate: 1e-5 } });
 */
export function trainPolicyGradient(options: TrainPolicyGradientOptions): Promise<PolicyGradientResult> {
  return drive(trainPolicyGradientIter(options), options.onEvent);
}
