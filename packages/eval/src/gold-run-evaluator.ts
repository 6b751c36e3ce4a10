import {
  ConfigError,
  type EvaluatedRound,
  type EvaluationRun,
  type PreferencePair,
  type RunEvaluator,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from '@ocrm/core';
import { evaluateGold } from './evaluate-gold';
import { klToReference } from './kl-to-reference';
import { rewardModelAccuracy } from './reward-model-accuracy';
import { targetShardRange } from './target-shard-range';

/** Options of {@link goldRunEvaluator}: the pipeline's `eval` section. */
export interface GoldRunEvaluatorConfig {
  /** Held-out prompts evaluated (the first this many of the task's). */
  prompts: number;
  /** Temperature of the evaluated responses (0 = argmax). */
  temperature: number;
  /** Prompts (the first of the evaluated ones) for the KL-to-SFT estimate, sampled at the rollout temperature. */
  klPrompts: number;
  /** Fresh on-policy pairs per policy for the RMs' accuracy against gold (0 = none). */
  onPolicyPairs: number;
  /** Responses per prompt at `temperature` (the metrics average over them). Default 1. */
  samplesPerPrompt?: number;
  /** Also evaluate argmax responses, reported as `eval/greedy/*`. Default false. */
  greedy?: boolean;
}

/**
 * The reference evaluation stage. For each target: gold score, win rate against the references and proxy score
 * (under the round's RM) on `prompts` held-out prompts × `samplesPerPrompt` responses at `temperature` (all targets
 * share the run's seed), `eval/greedy/*` when asked, `eval/kl_sft` (0 for SFT itself), and — for targets with a
 * reward model — its accuracy against gold on fresh pairs from the policy it was used with (`rm/accuracy`, policy_k)
 * and from the previous target (`rm/accuracy_start`, policy_{k−1}), and on the held-out SFT pairs
 * (`rm/accuracy_sft`); then the extra evaluators' metrics. Disposes every model it loads. Shardable: with
 * `run.shard` it evaluates a contiguous range of the targets (drawing the previous target's on-policy pairs again for
 * the first one's `rm/accuracy_start`: seeded by round, the same pairs), so the shards concatenate to the whole; the
 * first shards take the extra targets ({@link targetShardRange}).
 */
export function goldRunEvaluator(config: GoldRunEvaluatorConfig): RunEvaluator {
  const samplesPerPrompt = config.samplesPerPrompt ?? 1;
  if (!Number.isInteger(samplesPerPrompt) || samplesPerPrompt < 1)
    throw new ConfigError('eval.samplesPerPrompt', `must be a positive integer, got ${samplesPerPrompt}`);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'gold',
    shardable: true,
    async evaluateRun(run: EvaluationRun): Promise<EvaluatedRound[]> {
      const { task, judge, signal } = run;
      const prompts = task.evalPrompts.slice(0, config.prompts);
      // K samples per prompt: the prompts repeated K times (rows draw independent random numbers).
      const repeated = Array.from({ length: samplesPerPrompt }, () => prompts).flat();
      const klPromptIds = task.evalPrompts
        .slice(0, config.klPrompts)
        .map((p) => task.tokenizer.encode(p.prompt));
      const padId = task.tokenizer.padId;
      const reference = await run.reference();
      const results: EvaluatedRound[] = [];
      let previousPairs: PreferencePair[] | undefined;
      const [first, last] = targetShardRange(run.targets.length, run.shard);
      try {
        // A shard starting after the first target: the pairs the previous target would have left (same seed).
        const previous = run.targets[first - 1];
        if (previous?.rewardModel && config.onPolicyPairs > 0) {
          const policy = await previous.policy();
          try {
            previousPairs = await run.onPolicyPairs(policy, previous.round, config.onPolicyPairs);
          } finally {
            policy.dispose();
          }
        }
        for (const target of run.targets.slice(first, last)) {
          throwIfAborted(signal);
          const policy = await target.policy();
          let rm: Awaited<ReturnType<NonNullable<typeof target.rewardModel>>> | undefined;
          try {
            rm = await target.rewardModel?.();
            const gold = (temperature: number, rows: typeof prompts) =>
              evaluateGold(policy, {
                prompts: rows,
                tokenizer: task.tokenizer,
                judge,
                rewardModel: rm,
                maxNewTokens: task.maxResponseTokens,
                temperature,
                seed: run.seed,
                signal,
              });
            const metrics = await gold(config.temperature, repeated);
            if (config.greedy) {
              for (const [key, value] of Object.entries(await gold(0, prompts)))
                metrics[key.replace(/^eval\//, 'eval/greedy/')] = value;
            }
            metrics['eval/kl_sft'] =
              target.round === 0
                ? 0
                : await klToReference(policy, reference, klPromptIds, {
                    temperature: run.rolloutTemperature,
                    maxNewTokens: task.maxResponseTokens,
                    seed: run.seed,
                    signal,
                  });
            const pairs =
              rm && config.onPolicyPairs > 0
                ? await run.onPolicyPairs(policy, target.round, config.onPolicyPairs)
                : undefined;
            if (rm && pairs && target.round > 0) {
              metrics['rm/accuracy'] = (await rewardModelAccuracy(rm, pairs, { padId })).accuracy;
              if (previousPairs) {
                metrics['rm/accuracy_start'] = (
                  await rewardModelAccuracy(rm, previousPairs, { padId })
                ).accuracy;
              }
            }
            if (rm && run.heldoutPairs.length > 0) {
              metrics['rm/accuracy_sft'] = (
                await rewardModelAccuracy(rm, run.heldoutPairs, { padId })
              ).accuracy;
            }
            for (const evaluator of run.evaluators) {
              Object.assign(
                metrics,
                await evaluator.evaluate(policy, { stage: target.stage, round: target.round, signal }),
              );
            }
            results.push({ round: target.round, stage: target.stage, metrics });
            previousPairs = pairs;
          } finally {
            policy.dispose();
            rm?.dispose();
          }
        }
      } finally {
        reference.dispose();
      }
      return results;
    },
  };
}
