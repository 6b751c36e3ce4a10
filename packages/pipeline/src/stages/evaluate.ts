import { join } from 'node:path';
import {
  ContractError,
  type EvaluatedRound,
  type EvaluationRun,
  type EvaluationTarget,
  type PreferencePair,
  readJson,
  writeJsonAtomic,
} from '@ocrm/core';
import { labelPairs, samplePairs } from '@ocrm/data';
import type { StageContext, StageRunner } from '../run/context';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { planStages, rewardModelStageFor } from '../run/plan';
import { stageShardDir, stageTakesShards } from '../run/stage-shards';
import { loadPolicy } from './models';
import { seedFor } from './seeds';

export type { EvaluatedRound } from '@ocrm/core';

/** Policies a run evaluates: SFT, then each PPO round's policy (or the DPO/WPO policy). */
export function evaluatedStages(ctx: StageContext): { round: number; stage: string }[] {
  const policies = planStages(ctx.config).filter((s) => s.kind === 'ppo' || s.kind === 'dpo');
  return [{ round: 0, stage: 'sft' }, ...policies.map((s) => ({ round: s.round ?? 1, stage: s.name }))];
}

/** `count` fresh pairs from `policy` on the held-out prompts at the rollout temperature, gold-labelled. */
async function onPolicyPairs(
  ctx: StageContext,
  policy: Parameters<typeof samplePairs>[0],
  round: number,
  count: number,
): Promise<PreferencePair[]> {
  const { config, task } = ctx;
  const prompts = task.evalPrompts;
  const sampled = await samplePairs(policy, prompts, task.tokenizer, {
    maxNewTokens: task.maxResponseTokens,
    passes: Math.max(1, Math.ceil(count / prompts.length)),
    temperature: ctx.policyOptimizer.temperature,
    seed: seedFor(config.seed, 'onPolicy', round),
    signal: ctx.signal,
  });
  const { pairs } = await labelPairs(sampled.slice(0, count), ctx.judge, { eosId: task.tokenizer.eosId });
  return pairs;
}

/**
 * What the `eval` stage hands its run evaluator (also what a shard of it evaluates from): every round's policy (SFT
 * first) with the reward model its RL step optimised, π_SFT as the KL reference, the held-out SFT pairs and a sampler
 * of fresh on-policy pairs.
 */
export async function evaluationRun(ctx: StageContext): Promise<EvaluationRun> {
  const { config, run, task } = ctx;
  const paths = runPaths(run);
  const usesRm = config.method !== 'dpo' && config.method !== 'wpo';
  const targets: EvaluationTarget[] = evaluatedStages(ctx).map(({ round, stage }) => ({
    round,
    stage,
    policy: () => loadPolicy(round === 0 ? paths.sftModel : paths.policy(stage), task, true),
    rewardModel: usesRm
      ? () => ctx.rewardModelTrainer.load(run.stagePath(rewardModelStageFor(config, Math.max(1, round))))
      : undefined,
  }));
  const evaluation: EvaluationRun = {
    targets,
    reference: () => loadPolicy(paths.sftModel, task, true),
    task,
    judge: ctx.judge,
    heldoutPairs: await readPairs(paths.heldout),
    onPolicyPairs: (policy, round, count) => onPolicyPairs(ctx, policy, round, count),
    rolloutTemperature: ctx.policyOptimizer.temperature,
    seed: seedFor(config.seed, 'eval'),
    evaluators: ctx.evaluators,
    stage: 'eval',
    signal: ctx.signal,
    onEvent: ctx.emit,
  };
  return evaluation;
}

/**
 * `eval`: every round's policy through the context's `RunEvaluator` (the reference: gold, win rate, proxy, KL to SFT,
 * RM accuracies; `eval` section) → `eval/results.json`. With `ctx.shards` N > 1
 * and a `shardable` evaluator, the targets are split into N shards (files under `eval/shards/`, from other processes
 * or evaluated here) and their entries concatenated: the same results.
 */
export const evalStage: StageRunner = async (ctx) => {
  const { run } = ctx;
  const paths = runPaths(run);
  const evaluation = await evaluationRun(ctx);
  const { targets } = evaluation;
  const shards = stageTakesShards(ctx, 'eval') ? (ctx.shards ?? 1) : 1;
  let results: EvaluatedRound[];
  if (shards <= 1) results = await ctx.runEvaluator.evaluateRun(evaluation);
  else {
    const dir = stageShardDir(ctx, 'eval');
    results = [];
    for (let index = 0; index < shards; index++) {
      const file = join(dir, `${index}-of-${shards}.json`);
      let part: EvaluatedRound[];
      try {
        part = await readJson<EvaluatedRound[]>(file);
      } catch {
        part = await ctx.runEvaluator.evaluateRun({ ...evaluation, shard: { index, count: shards } });
        await writeJsonAtomic(file, part);
      }
      results.push(...part);
    }
  }
  if (
    results.length !== targets.length ||
    results.some((r, i) => r.round !== targets[i]!.round || r.stage !== targets[i]!.stage)
  ) {
    throw new ContractError(
      `the run evaluator ${ctx.runEvaluator.name} returned ${results.length} results for ${targets.length} policies (${targets.map((t) => t.stage).join(', ')}).`,
      {
        hint: 'evaluateRun must return one entry per target, in the targets’ order, with their round and stage.',
      },
    );
  }
  await writeJsonAtomic(paths.evalResults, results);
  return pickFinal(results.at(-1)!.metrics);
};

function pickFinal(metrics: Record<string, number>): Record<string, number> {
  const keys = ['eval/gold', 'eval/win_rate', 'eval/kl_sft', 'rm/accuracy'];
  return Object.fromEntries(keys.filter((k) => Number.isFinite(metrics[k])).map((k) => [k, metrics[k]!]));
}

/** Reads `eval/results.json` of a finished run. */
export function readEvalResults(ctxRunRoot: string): Promise<EvaluatedRound[]> {
  return readJson<EvaluatedRound[]>(`${ctxRunRoot}/eval/results.json`);
}
