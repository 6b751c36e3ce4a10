import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './render-chart';
import { type RunSummary, runLabel } from './run-summary';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 360;
const HEIGHT = 220;

type Row = Record<string, number | string>;

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A line chart (with points) of `y` against `x`, one colored line per run, points joined in `order`. */
function lineChart(
  values: Row[],
  x: [string, string],
  y: [string, string],
  order: string,
  runs: string[],
): TopLevelSpec {
  const integerAxis = x[0] === 'round' ? { axis: { tickMinStep: 1, format: 'd' } } : {};
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: x[0], type: 'quantitative', title: x[1], scale: { zero: false }, ...integerAxis },
      y: { field: y[0], type: 'quantitative', title: y[1], scale: { zero: false } },
      // One domain for every chart, so a run has the same color everywhere.
      color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: runs } },
      order: { field: order, type: 'quantitative' },
    },
  } as TopLevelSpec;
}

/** Points of the overoptimization curves: one row per curve point that has the metric. */
function curveRows(runs: readonly RunSummary[], metric: string, withKl: boolean): Row[] {
  return runs.flatMap((run) =>
    (run.curve ?? []).flatMap((p) => {
      const y = p.metrics[metric];
      const kl = p.metrics['eval/kl_sft'];
      if (!isNumber(y) || (withKl && !isNumber(kl))) return [];
      const row: Row = { run: runLabel(run), method: run.method, round: p.round, update: p.update, value: y };
      if (isNumber(kl)) row.kl = kl;
      return [row];
    }),
  );
}

/**
 * The report's charts for the given runs (a chart is left out when no run has its data): gold and proxy vs KL to
 * SFT, gold and proxy vs update, ESS/N per round, the weight histograms per round, on-policy RM accuracy per round.
 */
export function buildCharts(runs: readonly RunSummary[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const labels = runs.map(runLabel);
  for (const [metric, name] of [
    ['eval/gold', 'gold score'],
    ['eval/proxy', 'proxy RM score'],
  ] as const) {
    const short = metric.split('/')[1];
    const vsKl = curveRows(runs, metric, true);
    if (vsKl.length > 0) {
      charts.push({
        id: `${short}-vs-kl`,
        title: `${name[0]!.toUpperCase()}${name.slice(1)} vs KL to SFT`,
        caption:
          'Overoptimization curve: each point is an evaluation during PPO (eval prompts, temperature 0).',
        spec: lineChart(vsKl, ['kl', 'KL to SFT (nats)'], ['value', name], 'update', labels),
      });
    }
    const vsUpdate = curveRows(runs, metric, false);
    if (vsUpdate.length > 0) {
      charts.push({
        id: `${short}-vs-update`,
        title: `${name[0]!.toUpperCase()}${name.slice(1)} vs PPO update`,
        caption: 'Updates are counted cumulatively over rounds.',
        spec: lineChart(vsUpdate, ['update', 'PPO update'], ['value', name], 'update', labels),
      });
    }
  }

  const essRows: Row[] = runs.flatMap((run) =>
    run.rounds.flatMap((r) =>
      r.weights && isNumber(r.weights.essFraction)
        ? [{ run: runLabel(run), round: r.round, value: r.weights.essFraction }]
        : [],
    ),
  );
  if (essRows.length > 0) {
    charts.push({
      id: 'ess-per-round',
      title: 'Effective sample size of the weights (ESS / N) per round',
      caption: 'Above 0.99 the correction does nothing; below 0.1 a few pairs carry all the weight.',
      spec: lineChart(essRows, ['round', 'round'], ['value', 'ESS / N'], 'round', labels),
    });
  }

  const histogramRows: Row[] = runs.flatMap((run) =>
    run.rounds.flatMap((r) => {
      const h = r.weights?.histogram;
      if (!h) return [];
      return h.counts.map((count, i) => ({
        run: runLabel(run),
        round: `round ${r.round}`,
        x0: h.edges[i]!,
        x1: h.edges[i + 1]!,
        count,
      }));
    }),
  );
  if (histogramRows.length > 0) {
    charts.push({
      id: 'weight-histograms',
      title: 'Histograms of the log-weights per round',
      caption: 'Log-weights of the labelled pairs, before any normalisation (0 = weight 1).',
      spec: {
        $schema: SCHEMA,
        data: { values: histogramRows },
        facet: {
          row: { field: 'round', type: 'ordinal', title: null },
          column: { field: 'run', type: 'nominal', title: null },
        },
        spec: {
          width: 220,
          height: 90,
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: { field: 'x0', type: 'quantitative', title: 'log-weight' },
            x2: { field: 'x1' },
            y: { field: 'count', type: 'quantitative', title: 'pairs' },
          },
        },
        resolve: { scale: { x: 'independent' } },
      } as TopLevelSpec,
    });
  }

  const accuracyRows: Row[] = runs.flatMap((run) =>
    run.rounds.flatMap((r) =>
      r.rmAccuracy && isNumber(r.rmAccuracy.accuracy)
        ? [{ run: runLabel(run), round: r.round, value: r.rmAccuracy.accuracy }]
        : [],
    ),
  );
  if (accuracyRows.length > 0) {
    charts.push({
      id: 'rm-accuracy',
      title: 'On-policy reward-model accuracy per round',
      caption:
        'Accuracy of RM_k against gold labels on fresh pairs from the policy it was used with (ties excluded).',
      spec: lineChart(accuracyRows, ['round', 'round'], ['value', 'accuracy'], 'round', labels),
    });
  }
  return charts;
}
