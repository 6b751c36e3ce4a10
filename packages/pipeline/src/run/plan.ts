import type { PipelineConfig } from '../config/schema';
import { policyOptimizerSettings } from './policy-optimizer';

/** One planned stage: its folder name and what it does. */
export interface PlannedStage {
  name: string;
  kind: 'sft' | 'pairs' | 'labels' | 'rm' | 'ppo' | 'weights' | 'dpo' | 'eval' | 'report';
  /** OCRM round (1-based) of `rm`, `ppo` and `weights` stages. */
  round?: number;
}

/**
 * The stages a config runs, in order (docs/algorithm.md, docs/run-directory.md):
 * - `ocrm`: sft → pairs → labels → rm-1 → ppo-1 → [weights-k → rm-k → ppo-k] k = 2..rounds → eval → report;
 * - `iterated`: the same rounds with λ = 0: RM_k equals RM_1, so no weights or RM stages after round 1;
 * - `rlhf`: one RM and one PPO stage with the same total PPO updates (`ppo.totalUpdates × rounds`);
 * - `dpo` / `wpo`: sft → pairs → labels → dpo → eval → report.
 */
export function planStages(config: PipelineConfig): PlannedStage[] {
  const plan: PlannedStage[] = [
    { name: 'sft', kind: 'sft' },
    { name: 'pairs', kind: 'pairs' },
    { name: 'labels', kind: 'labels' },
  ];
  if (config.method === 'dpo' || config.method === 'wpo') {
    plan.push({ name: config.method, kind: 'dpo' });
  } else {
    const rounds = config.method === 'rlhf' ? 1 : config.rounds;
    plan.push({ name: 'rm-1', kind: 'rm', round: 1 }, { name: 'ppo-1', kind: 'ppo', round: 1 });
    for (let k = 2; k <= rounds; k++) {
      if (config.method === 'ocrm') {
        plan.push(
          { name: `weights-${k}`, kind: 'weights', round: k },
          { name: `rm-${k}`, kind: 'rm', round: k },
        );
      }
      plan.push({ name: `ppo-${k}`, kind: 'ppo', round: k });
    }
  }
  plan.push({ name: 'eval', kind: 'eval' }, { name: 'report', kind: 'report' });
  return plan;
}

/**
 * Updates of one RL stage (`ppo-k`): the policy optimizer section's `totalUpdates` (for PPO also `totalEpisodes /
 * rolloutBatchSize`), with its package's defaults; `rlhf` runs all rounds' updates in its single stage (same total
 * episodes).
 */
export function ppoUpdatesPerStage(config: PipelineConfig): number {
  const perRound = policyOptimizerSettings(config).totalUpdates;
  return config.method === 'rlhf' ? perRound * config.rounds : perRound;
}

/** Where PPO stage `round` sits in its schedule (see `roundStart`). */
export interface PpoSegment {
  /** Updates of the whole schedule (the learning rate decays to 0 over them). */
  totalUpdates: number;
  /** Updates finished before this stage starts (the warm start's update count). */
  firstUpdate: number;
  /** Updates finished when this stage stops. */
  stopAfter: number;
  /** True when the stage is a segment of one run spanning the rounds (`roundStart: continue*`, several rounds). */
  continued: boolean;
  /** True when a continued stage also carries the previous round's critic (`roundStart: continue`). */
  carriesCritic: boolean;
}

/**
 * The schedule of PPO stage `round`: `roundStart: continue` (or `continue-fresh-critic`) with several PPO stages makes them segments of one
 * run of `ppo.totalUpdates × rounds` updates (round k runs updates ((k−1)·n, k·n]); otherwise each stage is a whole
 * run of {@link ppoUpdatesPerStage} updates.
 */
export function ppoSegment(config: PipelineConfig, round: number): PpoSegment {
  const perStage = ppoUpdatesPerStage(config);
  const stages = planStages(config).filter((s) => s.kind === 'ppo').length;
  if (config.roundStart === 'restart' || stages < 2) {
    return {
      totalUpdates: perStage,
      firstUpdate: 0,
      stopAfter: perStage,
      continued: false,
      carriesCritic: false,
    };
  }
  return {
    totalUpdates: perStage * stages,
    firstUpdate: perStage * (round - 1),
    stopAfter: perStage * round,
    continued: true,
    carriesCritic: config.roundStart === 'continue',
  };
}

/** The folder holding the RM used in round k (`iterated` reuses RM-1). */
export function rewardModelStageFor(config: PipelineConfig, round: number): string {
  return config.method === 'ocrm' ? `rm-${round}` : 'rm-1';
}
