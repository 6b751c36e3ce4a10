import type { RunSummary } from '@ocrm/core';

export type { CurvePoint, RoundSummary, RunSummary } from '@ocrm/core';

/** The display name of a run. */
export function runLabel(run: RunSummary): string {
  return run.label ?? `${run.method} (seed ${run.seed})`;
}

/**
 * The group a run is shown in (a column of the final table, a color in the charts): its label without a trailing
 * `(seed N)`, else its method. Runs that differ only by seed share a group, so their intervals are over seeds.
 */
export function runGroup(run: RunSummary): string {
  const stripped = run.label?.replace(/\s*\(seed \d+\)$/, '');
  return stripped || run.method;
}

/** The final metrics of a run (see {@link RunSummary.final}), with `rm/accuracy` of the last round when known. */
export function finalMetrics(run: RunSummary): Record<string, number> {
  const lastRound = run.rounds[run.rounds.length - 1];
  const base = run.final ?? lastRound?.metrics ?? run.curve?.[run.curve.length - 1]?.metrics ?? {};
  const out = { ...base };
  const accuracy = [...run.rounds].reverse().find((r) => r.rmAccuracy)?.rmAccuracy?.accuracy;
  if (out['rm/accuracy'] === undefined && accuracy !== undefined) out['rm/accuracy'] = accuracy;
  return out;
}
