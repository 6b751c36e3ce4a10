import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appendJsonl, writeJsonAtomic } from '@ocrm/core';
import { createPolicyEvaluator } from '@ocrm/eval';
import type { StageRunner } from '../run/context';
import { stageDataParallel } from '../run/data-parallel-stages';
import { runPaths } from '../run/paths';
import { ppoSegment, rewardModelStageFor } from '../run/plan';
import { resumeStep, truncateCurve } from '../run/resume-records';
import { loadPolicy } from './models';
import { seedFor } from './seeds';

/**
 * `ppo-k`: the RL step of round k through the context's `PolicyOptimizer` (PPO unless `policyOptimizer` names RLOO or
 * GRPO, or one is swapped in from code; a critic is loaded only for optimizers that use one). For PPO: PPO from policy_{k-1} (SFT for k = 1) against RM_k, KL penalty against policy_{k-1} (`klReference:
 * previous`, the paper) or SFT (`sft`). With `roundStart: continue` the rounds are segments of one PPO run: round k
 * starts from round k−1's final checkpoint (critic, AdamW moments, update count) and runs updates
 * ((k−1)·n, k·n] of one (rounds·n)-update schedule (`continue-fresh-critic`: the critic starts from RM_k with fresh
 * moments); with `restart` each round is a fresh run whose critic is
 * initialised from RM_k. The evaluation hook writes the overoptimization curve (gold, proxy, KL to SFT on fixed
 * eval prompts; `update` counted within the round) to `curve.jsonl`. Resumes from its checkpoint after a kill.
 */
export const ppoStage: StageRunner = async (ctx, stage) => {
  const { config, run, task, judge } = ctx;
  const paths = runPaths(run);
  const round = stage.round ?? 1;
  const startDir = round === 1 ? paths.sftModel : paths.policy(`ppo-${round - 1}`);
  const referenceDir = config.klReference === 'sft' ? paths.sftModel : startDir;
  const rmDir = run.stagePath(rewardModelStageFor(config, round));
  const segment = ppoSegment(config, round);
  // A continued critic keeps the centring (reward offset) of the RM it was initialised from, RM-1's.
  const criticDir = segment.carriesCritic ? run.stagePath(rewardModelStageFor(config, 1)) : rmDir;

  const policy = await loadPolicy(startDir, task);
  const reference = await loadPolicy(referenceDir, task, true);
  const sft = referenceDir === paths.sftModel ? reference : await loadPolicy(paths.sftModel, task, true);
  const trainer = ctx.rewardModelTrainer;
  const rewardModel = await trainer.load(rmDir);
  const optimizer = ctx.policyOptimizer;
  const critic = optimizer.usesCritic ? await trainer.loadCritic?.(criticDir) : undefined;
  try {
    const evaluator = createPolicyEvaluator({
      prompts: task.evalPrompts.slice(0, config.eval.prompts),
      klPromptCount: config.eval.klPrompts,
      temperature: config.eval.temperature,
      tokenizer: task.tokenizer,
      judge,
      rewardModel,
      sft,
      maxNewTokens: task.maxResponseTokens,
      klTemperature: optimizer.temperature,
      // One seed for every round and for the evaluate stage: the same policy gets the same KL estimate.
      seed: seedFor(config.seed, 'eval'),
    });
    const curveFile = paths.curve(stage.name);
    // Resuming: keep the curve up to the checkpoint this run continues from (the rest is evaluated again).
    const resumed = await resumeStep(run, stage.name);
    await truncateCurve(curveFile, resumed === undefined ? undefined : resumed - segment.firstUpdate);
    if (!existsSync(curveFile)) {
      // The curve's first point: the starting policy (update 0; KL to SFT is 0 in round 1).
      const metrics = await evaluator.evaluate(policy, {
        stage: stage.name,
        round,
        update: 0,
        signal: ctx.signal,
      });
      await appendJsonl(curveFile, { round, update: 0, metrics });
    }
    const result = await optimizer.optimize({
      policy,
      critic,
      rewardModel,
      reference,
      prompts: task.trainPrompts.map((p) => task.tokenizer.encode(p.prompt)),
      maxNewTokens: task.maxResponseTokens,
      evalEvery: config.eval.everyUpdates,
      seed: seedFor(config.seed, 'ppo', segment.continued ? 1 : round),
      totalUpdates: segment.totalUpdates,
      ...(segment.continued ? { stopAfter: segment.stopAfter } : {}),
      continueFrom:
        segment.continued && round > 1
          ? { checkpointDir: paths.checkpoint(`ppo-${round - 1}`), critic: segment.carriesCritic }
          : undefined,
      onEval: async (current, absolute) => {
        const update = absolute - segment.firstUpdate;
        const metrics = await evaluator.evaluate(current, { stage: stage.name, round, update });
        await appendJsonl(curveFile, { round, update, metrics });
        return metrics;
      },
      checkpointDir: paths.checkpoint(stage.name),
      stage: stage.name,
      signal: ctx.signal,
      onEvent: ctx.emit,
      dataParallel: stageDataParallel(ctx, 'ppo', stage.name),
    });
    await policy.save(paths.policy(stage.name));
    await task.tokenizer.save?.(paths.policy(stage.name));
    const updates = result.updates - segment.firstUpdate;
    const summary = {
      updates,
      episodes: updates * (result.episodes / result.updates),
      ...pick(result.metrics),
    };
    await writeJsonAtomic(join(run.stagePath(stage.name), 'result.json'), summary);
    return summary;
  } finally {
    for (const model of new Set([policy, reference, sft, rewardModel, critic])) model?.dispose();
  }
};

function pick(metrics: Record<string, number>): Record<string, number> {
  const keys = ['objective/kl', 'objective/scores', 'policy/clipfrac', 'loss/policy', 'loss/value'];
  return Object.fromEntries(keys.filter((k) => metrics[k] !== undefined).map((k) => [k, metrics[k]!]));
}
