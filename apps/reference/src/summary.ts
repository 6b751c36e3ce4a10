import type { PipelineResult, RoundSummary } from '@ocrm/pipeline';

const fmt = (value: number | undefined, digits = 3) =>
  value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);

function row(r: RoundSummary): string {
  return [
    r.stage.padEnd(7),
    fmt(r.gold).padStart(7),
    fmt(r.winRate).padStart(7),
    fmt(r.klToSft, 2).padStart(7),
    fmt(r.proxy).padStart(7),
    fmt(r.rmAccuracyOnPolicy).padStart(8),
    fmt(r.essFraction).padStart(6),
  ].join('  ');
}

/** Prints the end-of-run summary: one line per round, stage times, the report path. */
export function printSummary(result: PipelineResult, write: (line: string) => void): void {
  write('');
  write(`${result.method} (seed ${result.seed})`);
  write(['stage  ', '   gold', '    win', 'KL(SFT)', '  proxy', 'RM acc.', '   ESS'].join('  '));
  write(row(result.sft));
  for (const round of result.rounds) write(row(round));
  const times = Object.entries(result.stageSeconds)
    .map(([stage, s]) => `${stage} ${s.toFixed(0)}s`)
    .join(', ');
  if (times) write(`time: ${times}; peak RSS ${result.peakRssMiB.toFixed(0)} MiB`);
  for (const round of result.rounds) {
    if (round.essFraction !== undefined && round.essFraction > 0.99) {
      write(
        `warning: round ${round.round} weights are nearly uniform (ESS ${fmt(round.essFraction)}): the correction did nothing; raise weighting.ratioExponent (or lower weighting.targetEss).`,
      );
    }
  }
  if (result.reportPath) write(`report: ${result.reportPath}`);
}
