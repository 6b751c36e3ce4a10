import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, writeFileAtomic } from '@ocrm/core';
import { tInterval95 } from '../stats';
import { buildCharts } from './charts';
import { escapeHtml, formatNumber, STYLE, table } from './html';
import { metricHeader } from './metric-names';
import { renderChartSvg } from './render-chart';
import { finalMetrics, type RunSummary, runGroup, runLabel } from './run-summary';

/** Metrics shown first in the final table, in this order; any other final metric follows alphabetically. */
export const REPORT_METRICS: readonly string[] = Object.freeze([
  'eval/gold',
  'eval/win_rate',
  'eval/proxy',
  'eval/kl_sft',
  'rm/accuracy',
  'eval/length',
  'eval/eos_rate',
]);

/** Options of {@link renderReport}. */
export interface ReportOptions {
  /** Page title (default "OCRM report"). */
  title?: string;
  /** Shown under the title, e.g. the run directory and date. */
  subtitle?: string;
}

/**
 * Final metrics, one row per metric (human name and unit) and one column per group (`runGroup`: the runs that differ
 * only by seed): mean and 95 % t-interval over seeds.
 */
function finalTable(runs: readonly RunSummary[]): string {
  const groups = [...new Set(runs.map(runGroup))];
  const finals = runs.map(finalMetrics);
  const present = new Set(finals.flatMap((f) => Object.keys(f)));
  const metrics = [
    ...REPORT_METRICS.filter((m) => present.has(m)),
    ...[...present].filter((m) => !REPORT_METRICS.includes(m)).sort(),
  ];
  const members = groups.map((group) => runs.flatMap((run, i) => (runGroup(run) === group ? [i] : [])));
  const seedsRow = ['Seeds', ...members.map((m) => m.map((i) => runs[i]!.seed).join(', '))];
  const rows = metrics.map((metric) => [
    metricHeader(metric),
    ...members.map((m) => {
      const values = m.map((i) => finals[i]![metric]).filter((v): v is number => isFiniteNumber(v));
      if (values.length === 0) return '–';
      const ci = tInterval95(values);
      return values.length < 2
        ? formatNumber(ci.mean)
        : `${formatNumber(ci.mean)} ± ${formatNumber(ci.halfWidth)}`;
    }),
  ]);
  return table(['Metric', ...groups], [seedsRow, ...rows], 'final');
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/** One row per run and round: metrics, RM accuracy and weight diagnostics. */
function roundTable(runs: readonly RunSummary[]): string {
  const rows = runs.flatMap((run) =>
    run.rounds.map((r) => {
      const m = r.metrics ?? {};
      const w = r.weights;
      return [
        runLabel(run),
        String(r.round),
        formatNumber(m['eval/gold']),
        formatNumber(m['eval/proxy']),
        formatNumber(m['eval/kl_sft']),
        formatNumber(r.rmAccuracy?.accuracy),
        formatNumber(r.rmAccuracy?.spearman),
        formatNumber(w?.essFraction),
        w ? `${formatNumber(w.min)} / ${formatNumber(w.mean)} / ${formatNumber(w.max)}` : '–',
        formatNumber(w?.fractionMoved),
        w?.warnings.join(' ') ?? '',
      ];
    }),
  );
  return table(
    [
      'run',
      'round',
      'gold',
      'proxy',
      'KL to SFT',
      'RM acc. (on-policy)',
      'RM Spearman',
      'ESS / N',
      'weight min / mean / max',
      'moved > 10 %',
      'warnings',
    ],
    rows,
    'rounds',
  );
}

/**
 * Renders a self-contained HTML report (inline CSS and SVG, no script, nothing fetched at view time) for one run or
 * several side by side: the final metrics per method with seeds and 95 % t-intervals, a per-round table, the charts
 * (Vega-Lite compiled and rendered to SVG in Node) and each run's config.
 * @throws InvalidArgumentError when `runs` is empty or two runs share a label.
 */
export async function renderReport(
  runs: readonly RunSummary[],
  options: ReportOptions = {},
): Promise<string> {
  if (runs.length === 0) throw new InvalidArgumentError('renderReport: no runs');
  const labels = runs.map(runLabel);
  const duplicate = labels.find((l, i) => labels.indexOf(l) !== i);
  if (duplicate !== undefined) {
    throw new InvalidArgumentError(`renderReport: two runs are labelled "${duplicate}"`, {
      hint: 'give each run a label (`ocrm report A B --label a --label b`, or `ocrm run --label NAME` / config `label`)',
    });
  }
  const title = options.title ?? 'OCRM report';
  const figures: string[] = [];
  for (const chart of buildCharts(runs)) {
    const svg = await renderChartSvg(chart.spec);
    figures.push(
      `<figure class="chart" data-chart="${escapeHtml(chart.id)}"><h3>${escapeHtml(chart.title)}</h3>\n${svg}\n` +
        `<figcaption>${escapeHtml(chart.caption)}</figcaption></figure>`,
    );
  }
  const configs = runs
    .filter((r) => r.config !== undefined)
    .map(
      (r) =>
        `<details><summary>${escapeHtml(runLabel(r))}</summary><pre>${escapeHtml(
          JSON.stringify(r.config, null, 2),
        )}</pre></details>`,
    );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${options.subtitle ? `<p class="note">${escapeHtml(options.subtitle)}</p>` : ''}
<h2>Final metrics</h2>
<p class="note">One column per run, or per group of runs that differ only by seed: mean over seeds ± half-width of
the 95 % Student-t interval (no interval with a single seed).</p>
${finalTable(runs)}
<h2>Per round</h2>
${roundTable(runs)}
<h2>Charts</h2>
<div class="charts">
${figures.length ? figures.join('\n') : '<p class="note">No curve, weight or accuracy data to plot.</p>'}
</div>
<h2>Config</h2>
${configs.length ? configs.join('\n') : '<p class="note">No config recorded.</p>'}
</body>
</html>
`;
}

/** Writes `report.html` (atomic) into `dir` (created if needed) and returns its path. */
export async function writeReport(
  dir: string,
  runs: readonly RunSummary[],
  options: ReportOptions = {},
): Promise<string> {
  const html = await renderReport(runs, options);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'report.html');
  await writeFileAtomic(path, html);
  return path;
}
