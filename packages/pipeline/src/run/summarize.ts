import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunDirectory, readJson, readJsonlAll, type WeightDiagnostics } from '@ocrm/core';
import type { CurvePoint, RunSummary } from '@ocrm/eval';
import type { PipelineConfig } from '../config/schema';
import type { EvaluatedRound } from '../stages/evaluate';
import { runPaths } from './paths';
import { planStages } from './plan';
import type { RoundSummary } from './result';

/** The curve of a PPO stage; entries re-written after a resume are deduplicated (the last one wins). */
async function readCurve(path: string, round: number, offset: number): Promise<CurvePoint[]> {
  if (!existsSync(path)) return [];
  const rows = await readJsonlAll<CurvePoint>(path, { allowPartialLastLine: true });
  const byUpdate = new Map<number, CurvePoint>();
  for (const row of rows)
    byUpdate.set(row.update, { round, update: row.update + offset, metrics: row.metrics });
  return [...byUpdate.values()].sort((a, b) => a.update - b.update);
}

/** Everything a report needs about one finished run, read from its directory. */
export async function summarizeRun(
  root: string,
): Promise<{ report: RunSummary; rounds: RoundSummary[]; sft?: RoundSummary }> {
  const run = new RunDirectory(root);
  const paths = runPaths(run);
  const config = await run.readConfig<PipelineConfig>();
  const evaluated = existsSync(paths.evalResults) ? await readJson<EvaluatedRound[]>(paths.evalResults) : [];
  const plan = planStages(config);
  const curve: CurvePoint[] = [];
  let offset = 0;
  for (const stage of plan.filter((s) => s.kind === 'ppo')) {
    const points = await readCurve(paths.curve(stage.name), stage.round ?? 1, offset);
    curve.push(...points);
    offset = points.at(-1)?.update ?? offset;
  }
  const weights = new Map<number, WeightDiagnostics>();
  for (const stage of plan.filter((s) => s.kind === 'weights')) {
    const file = paths.weightDiagnostics(stage.name);
    if (existsSync(file)) weights.set(stage.round ?? 0, await readJson<WeightDiagnostics>(file));
  }
  const toRound = (e: EvaluatedRound): RoundSummary => ({
    round: e.round,
    stage: e.stage,
    gold: e.metrics['eval/gold'] ?? Number.NaN,
    winRate: e.metrics['eval/win_rate'] ?? Number.NaN,
    klToSft: e.metrics['eval/kl_sft'] ?? Number.NaN,
    proxy: e.metrics['eval/proxy'],
    rmAccuracyOnPolicy: e.metrics['rm/accuracy'],
    rmAccuracySft: e.metrics['rm/accuracy_sft'],
    essFraction: weights.get(e.round)?.essFraction,
  });
  const report: RunSummary = {
    method: config.method,
    seed: config.seed,
    label:
      config.label ??
      `${config.method}${config.method === 'ocrm' ? ` ${lambdaLabel(config.weighting)}` : ''} (seed ${config.seed})`,
    rounds: evaluated
      .filter((e) => e.round > 0)
      .map((e) => ({
        round: e.round,
        metrics: e.metrics,
        weights: weights.get(e.round),
        rmAccuracy:
          e.metrics['rm/accuracy'] !== undefined ? { accuracy: e.metrics['rm/accuracy'] } : undefined,
      })),
    curve,
    final: evaluated.at(-1)?.metrics,
    config,
  };
  const sft = evaluated.find((e) => e.round === 0);
  return { report, rounds: evaluated.filter((e) => e.round > 0).map(toRound), sft: sft && toRound(sft) };
}

/** Path of a stage's folder (for callers outside the run directory API). */
export const stageFolder = (root: string, stage: string) => join(root, stage);

/** `λ=0.3`, or `ESS/N=0.6` for an adaptive λ. */
function lambdaLabel(w: { ratioExponent: number | null; targetEss?: number | null }): string {
  return typeof w.targetEss === 'number' ? `ESS/N=${w.targetEss}` : `λ=${w.ratioExponent}`;
}
