import { type Policy, type PreferencePair, readJson, writeJsonAtomic } from '@ocrm/core';
import { labelPairs, samplePairs } from '@ocrm/data';
import { evaluateGold, klToReference, rewardModelAccuracy } from '@ocrm/eval';
import type { StageContext, StageRunner } from '../run/context';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { planStages, rewardModelStageFor } from '../run/plan';
import { loadPolicy } from './models';
import { seedFor } from './pairs';

/** Metrics of one evaluated policy (`round` 0 = SFT). */
export interface EvaluatedRound {
  round: number;
  stage: string;
  metrics: Record<string, number>;
}

/** Policies a run evaluates: SFT, then each PPO round's policy (or the DPO/WPO policy). */
export function evaluatedStages(ctx: StageContext): { round: number; stage: string }[] {
  const policies = planStages(ctx.config).filter((s) => s.kind === 'ppo' || s.kind === 'dpo');
  return [{ round: 0, stage: 'sft' }, ...policies.map((s) => ({ round: s.round ?? 1, stage: s.name }))];
}

/** Fresh pairs from `policy` at the rollout temperature, gold-labelled: what an RM meets when used with it. */
async function onPolicyPairs(ctx: StageContext, policy: Policy, round: number): Promise<PreferencePair[]> {
  const { config, task } = ctx;
  const prompts = task.evalPrompts;
  const passes = Math.max(1, Math.ceil(config.eval.onPolicyPairs / prompts.length));
  const sampled = await samplePairs(policy, prompts, task.tokenizer, {
    maxNewTokens: task.maxResponseTokens,
    passes,
    temperature: ctx.policyOptimizer.temperature,
    seed: seedFor(config.seed, 'onPolicy', round),
    signal: ctx.signal,
  });
  const { pairs } = await labelPairs(sampled.slice(0, config.eval.onPolicyPairs), ctx.judge, {
    eosId: task.tokenizer.eosId,
  });
  return pairs;
}

/**
 * `eval`: every round's policy on held-out prompts (`eval.samplesPerPrompt` responses a prompt at `eval.temperature`,
 * the same seed as PPO's curve; with `eval.greedy` also argmax responses, as `eval/greedy/*`) — gold score, win rate against the references, proxy score
 * under that round's RM, KL to SFT — and each RM's accuracy against gold labels on fresh pairs from the policy it
 * was trained for (`rm/accuracy_start`: policy_{k-1}) and the policy PPO ended at (`rm/accuracy`: policy_k), and on
 * held-out SFT pairs (`rm/accuracy_sft`). Writes `eval/results.json`.
 */
export const evalStage: StageRunner = async (ctx) => {
  const { config, run, task, judge } = ctx;
  const paths = runPaths(run);
  const prompts = task.evalPrompts.slice(0, config.eval.prompts);
  // K samples per prompt: the prompts repeated K times (rows draw independent random numbers).
  const repeatedPrompts = Array.from({ length: config.eval.samplesPerPrompt }, () => prompts).flat();
  const klPromptIds = task.evalPrompts
    .slice(0, config.eval.klPrompts)
    .map((p) => task.tokenizer.encode(p.prompt));
  const heldout = await readPairs(paths.heldout);
  const sft = await loadPolicy(paths.sftModel, task, true);
  const usesRm = config.method !== 'dpo' && config.method !== 'wpo';
  const results: EvaluatedRound[] = [];
  let previousPairs: PreferencePair[] | undefined;
  try {
    for (const { round, stage } of evaluatedStages(ctx)) {
      const policy = round === 0 ? sft : await loadPolicy(paths.policy(stage), task, true);
      const rmRound = Math.max(1, round);
      const rm = usesRm
        ? await ctx.rewardModelTrainer.load(run.stagePath(rewardModelStageFor(config, rmRound)))
        : undefined;
      try {
        const gold = (temperature: number, rows: typeof prompts) =>
          evaluateGold(policy, {
            prompts: rows,
            tokenizer: task.tokenizer,
            judge,
            rewardModel: rm,
            maxNewTokens: task.maxResponseTokens,
            temperature,
            seed: seedFor(config.seed, 'eval'),
            signal: ctx.signal,
          });
        const metrics = await gold(config.eval.temperature, repeatedPrompts);
        if (config.eval.greedy) {
          for (const [key, value] of Object.entries(await gold(0, prompts)))
            metrics[key.replace(/^eval\//, 'eval/greedy/')] = value;
        }
        metrics['eval/kl_sft'] =
          round === 0
            ? 0
            : await klToReference(policy, sft, klPromptIds, {
                temperature: ctx.policyOptimizer.temperature,
                maxNewTokens: task.maxResponseTokens,
                seed: seedFor(config.seed, 'eval'),
                signal: ctx.signal,
              });
        const pairs =
          usesRm && config.eval.onPolicyPairs > 0 ? await onPolicyPairs(ctx, policy, round) : undefined;
        if (rm && pairs && round > 0) {
          metrics['rm/accuracy'] = (
            await rewardModelAccuracy(rm, pairs, { padId: task.tokenizer.padId })
          ).accuracy;
          if (previousPairs) {
            metrics['rm/accuracy_start'] = (
              await rewardModelAccuracy(rm, previousPairs, { padId: task.tokenizer.padId })
            ).accuracy;
          }
        }
        if (rm && heldout.length > 0) {
          metrics['rm/accuracy_sft'] = (
            await rewardModelAccuracy(rm, heldout, { padId: task.tokenizer.padId })
          ).accuracy;
        }
        for (const evaluator of ctx.evaluators)
          Object.assign(metrics, await evaluator.evaluate(policy, { stage, round, signal: ctx.signal }));
        results.push({ round, stage, metrics });
        previousPairs = pairs;
      } finally {
        if (policy !== sft) policy.dispose();
        rm?.dispose();
      }
    }
  } finally {
    sft.dispose();
  }
  await writeJsonAtomic(paths.evalResults, results);
  const last = results.at(-1)!;
  return pickFinal(last.metrics);
};

function pickFinal(metrics: Record<string, number>): Record<string, number> {
  const keys = ['eval/gold', 'eval/win_rate', 'eval/kl_sft', 'rm/accuracy'];
  return Object.fromEntries(keys.filter((k) => Number.isFinite(metrics[k])).map((k) => [k, metrics[k]!]));
}

/** Reads `eval/results.json` of a finished run. */
export function readEvalResults(ctxRunRoot: string): Promise<EvaluatedRound[]> {
  return readJson<EvaluatedRound[]>(`${ctxRunRoot}/eval/results.json`);
}
