import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type RewardModelTrainer,
  type RewardModelTrainingRun,
  SPECIFICATION_VERSION,
  throwIfAborted,
  type ValueModel,
} from '@ocrm/core';
import { evaluatePairs, scalarRewardModelTrainer } from '@ocrm/reward-model';
import { type EnsembleAggregate, EnsembleRewardModel } from './ensemble-reward-model';

/** Options of {@link ensembleRewardModelTrainer}. */
export interface EnsembleTrainerOptions {
  /** Members k ≥ 2 (default 3). */
  members?: number;
  /** How scores combine (default `mean`). */
  aggregate?: EnsembleAggregate;
  /** Trains one member; default the reference `scalarRewardModelTrainer()`. Each member gets seed `run.seed + i`. */
  member?: RewardModelTrainer;
}

const MANIFEST = 'ensemble.json';

/**
 * A `RewardModelTrainer` whose reward model is an ensemble: k members trained by `member` on the same (OCRM-weighted)
 * pairs with seeds `run.seed + i`, each in `<dir>/member-i/`, then `<dir>/ensemble.json` (written last, so a
 * half-trained ensemble is resumed member by member). `load` returns an {@link EnsembleRewardModel}; the PPO critic
 * (`loadCritic`) starts from member 0.
 */
export function ensembleRewardModelTrainer(options: EnsembleTrainerOptions = {}): RewardModelTrainer {
  const k = options.members ?? 3;
  const aggregate = options.aggregate ?? 'mean';
  const member = options.member ?? scalarRewardModelTrainer();
  if (!Number.isInteger(k) || k < 2)
    throw new RangeError(`ensemble: members must be an integer ≥ 2, got ${k}.`);
  const memberDir = (dir: string, i: number) => join(dir, `member-${i}`);
  const trainer: RewardModelTrainer = {
    specificationVersion: SPECIFICATION_VERSION,
    name: `ensemble(${k}×${member.name}, ${aggregate})`,
    async train(run: RewardModelTrainingRun): Promise<Record<string, number>> {
      throwIfAborted(run.signal);
      let memberAccuracy = 0;
      for (let i = 0; i < k; i++) {
        const summary = await member.train({
          ...run,
          seed: run.seed + i,
          dir: memberDir(run.dir, i),
          stage: `${run.stage}/member-${i}`,
        });
        memberAccuracy += (summary['rm/heldout_accuracy'] ?? Number.NaN) / k;
      }
      await writeFile(join(run.dir, MANIFEST), `${JSON.stringify({ members: k, aggregate })}\n`);
      const ensemble = await trainer.load(run.dir);
      try {
        const stats = await evaluatePairs(ensemble, run.evalPairs, run.padId, 16, run.signal);
        return {
          'rm/heldout_accuracy': stats.accuracy,
          'rm/member_heldout_accuracy': memberAccuracy,
          'rm/members': k,
        };
      } finally {
        ensemble.dispose();
      }
    },
    async load(dir: string): Promise<EnsembleRewardModel> {
      const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as { members: number };
      const members = [];
      for (let i = 0; i < manifest.members; i++) members.push(await member.load(memberDir(dir, i)));
      return new EnsembleRewardModel(members, aggregate);
    },
    ...(member.loadCritic
      ? { loadCritic: (dir: string): Promise<ValueModel> => member.loadCritic!(memberDir(dir, 0)) }
      : {}),
  };
  return trainer;
}
