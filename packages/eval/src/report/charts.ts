import type { TopLevelSpec } from 'vega-lite';
import { tInterval95 } from '../stats';
import type { ChartSpec } from './render-chart';
import { type RunSummary, runGroup, runLabel } from './run-summary';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Plot area of one chart (px); the page shows two per row at 1400 px and scales them down on narrower screens. */
const WIDTH = 470;
const HEIGHT = 230;
/** Legends under the plot, so long run names never narrow it. */
const CONFIG = {
  legend: { orient: 'bottom', columns: 2, labelLimit: 420, symbolOpacity: 1 },
  axis: { labelFontSize: 11 },
};

type Row = Record<string, number | string>;
type Layer = Record<string, unknown>;

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A layered chart of the report's size (layers are built as plain objects: one cast here). */
function layered(height: number, layers: Layer[]): TopLevelSpec {
  return { $schema: SCHEMA, width: WIDTH, height, config: CONFIG, layer: layers } as unknown as TopLevelSpec;
}

/** Groups of the runs in first-seen order, and whether any group holds several runs (seeds). */
function groupsOf(runs: readonly RunSummary[]): { groups: string[]; seeded: boolean } {
  const groups = [...new Set(runs.map(runGroup))];
  const seeded = groups.some((g) => runs.filter((r) => runGroup(r) === g).length > 1);
  return { groups, seeded };
}

/**
 * Marks each row of a group with several seeds faint (`alpha`), so its mean and interval stand out, and a run alone
 * in its group solid.
 */
function withAlpha(rows: Row[]): Row[] {
  const runsOf = new Map<string, Set<string>>();
  for (const row of rows) {
    const set = runsOf.get(String(row.group)) ?? new Set<string>();
    set.add(String(row.run));
    runsOf.set(String(row.group), set);
  }
  return rows.map((row) => ({ ...row, alpha: runsOf.get(String(row.group))!.size > 1 ? 0.3 : 1 }));
}

/** Opacity straight from a row's `alpha` (no scale, no legend). */
const OPACITY = { field: 'alpha', type: 'quantitative', scale: null, legend: null };

/** One color per group, the same in every chart. */
const colorBy = (groups: string[]) => ({
  field: 'group',
  type: 'nominal',
  title: null,
  scale: { domain: groups },
});

/** Mean and 95 % t-interval of `value` per group and `at` (rows of groups with ≥ 2 values at that position). */
function intervalRows(rows: Row[], at: string): Row[] {
  const cells = new Map<string, { group: string; at: number | string; values: number[] }>();
  for (const row of rows) {
    const key = `${row.group}\u0000${row[at]}`;
    const cell = cells.get(key) ?? { group: String(row.group), at: row[at]!, values: [] };
    cell.values.push(Number(row.value));
    cells.set(key, cell);
  }
  return [...cells.values()]
    .filter((c) => c.values.length > 1)
    .map((c) => {
      const ci = tInterval95(c.values);
      return {
        group: c.group,
        [at]: c.at,
        mean: ci.mean,
        low: ci.low,
        high: ci.high,
        seeds: c.values.length,
      };
    });
}

/** Dashed vertical rules where rounds 2, 3, … begin on a cumulative-update axis, labelled with the round. */
function roundRules(rows: Row[]): Layer[] {
  const starts = new Map<number, number>();
  for (const row of rows) {
    const round = Number(row.round);
    if (round > 1) starts.set(round, Math.min(starts.get(round) ?? Infinity, Number(row.update)));
  }
  if (starts.size === 0) return [];
  const values = [...starts].map(([round, update]) => ({ update, label: `round ${round}` }));
  return [
    {
      data: { values },
      mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
      encoding: { x: { field: 'update', type: 'quantitative' } },
    },
    {
      data: { values },
      mark: { type: 'text', align: 'left', dx: 3, baseline: 'top', y: 2, color: '#666', fontSize: 10 },
      encoding: { x: { field: 'update', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}

/** Points of the overoptimization curves: one row per curve point that has the metric. */
function curveRows(runs: readonly RunSummary[], metric: string, withKl: boolean): Row[] {
  return runs.flatMap((run) =>
    (run.curve ?? []).flatMap((p) => {
      const y = p.metrics[metric];
      const kl = p.metrics['eval/kl_sft'];
      if (!isNumber(y) || (withKl && !isNumber(kl))) return [];
      const row: Row = {
        run: runLabel(run),
        group: runGroup(run),
        round: p.round,
        segment: `${runLabel(run)} · round ${p.round}`,
        update: p.update,
        value: y,
      };
      if (isNumber(kl)) row.kl = kl;
      return [row];
    }),
  );
}

/**
 * A metric against the cumulative PPO update: one line per run, or — where a group has several seeds — its mean with
 * the 95 % t-interval band and each seed faint; round boundaries dashed.
 */
function curveVsUpdate(rows: Row[], title: string, groups: string[], seeded: boolean): TopLevelSpec {
  const x = { field: 'update', type: 'quantitative', title: 'PPO update (cumulative over rounds)' };
  const layers: Layer[] = [
    {
      data: { values: withAlpha(rows) },
      mark: { type: 'line', strokeWidth: seeded ? 1.2 : 2, point: !seeded },
      encoding: {
        opacity: OPACITY,
        x,
        y: { field: 'value', type: 'quantitative', title, scale: { zero: false } },
        color: colorBy(groups),
        detail: { field: 'run' },
        order: { field: 'update', type: 'quantitative' },
      },
    },
  ];
  const bands = seeded ? intervalRows(rows, 'update') : [];
  if (bands.length > 0) {
    layers.push(
      {
        data: { values: bands },
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x,
          y: { field: 'low', type: 'quantitative' },
          y2: { field: 'high' },
          color: colorBy(groups),
        },
      },
      {
        data: { values: bands },
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: colorBy(groups) },
      },
    );
  }
  layers.push(...roundRules(rows));
  return layered(HEIGHT, layers);
}

/** A metric against KL to SFT: each run's rounds as separate segments (no line across a round boundary). */
function curveVsKl(rows: Row[], title: string, groups: string[], seeded: boolean): TopLevelSpec {
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values: withAlpha(rows) },
    mark: { type: 'line', point: { size: 22 }, strokeWidth: seeded ? 1.2 : 1.8 },
    encoding: {
      opacity: OPACITY,
      x: { field: 'kl', type: 'quantitative', title: 'KL to SFT (nats)' },
      y: { field: 'value', type: 'quantitative', title, scale: { zero: false } },
      color: colorBy(groups),
      shape: { field: 'round', type: 'nominal', title: 'round' },
      detail: { field: 'segment' },
      order: { field: 'update', type: 'quantitative' },
    },
  } as TopLevelSpec;
}

/**
 * A per-round quantity with a fixed, meaningful y domain: per run, or per group mean ± 95 % interval over seeds; a
 * reference rule at each of `rules`.
 */
function perRound(
  rows: Row[],
  title: string,
  domain: [number, number],
  rules: number[],
  groups: string[],
  seeded: boolean,
): TopLevelSpec {
  const x = { field: 'round', type: 'ordinal', title: 'round', axis: { labelAngle: 0 } };
  const y = { type: 'quantitative', title, scale: { domain, nice: false }, axis: { format: '.2f' } };
  const intervals = seeded ? intervalRows(rows, 'round') : [];
  const layers: Layer[] = [
    {
      data: { values: withAlpha(rows) },
      mark: { type: 'line', point: true },
      encoding: {
        opacity: OPACITY,
        x,
        y: { ...y, field: 'value' },
        color: colorBy(groups),
        detail: { field: 'run' },
      },
    },
  ];
  if (intervals.length > 0) {
    layers.push(
      {
        data: { values: intervals },
        mark: { type: 'rule', strokeWidth: 2.5 },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: colorBy(groups) },
      },
      {
        data: { values: intervals },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { x, y: { ...y, field: 'mean' }, color: colorBy(groups) },
      },
    );
  }
  if (rules.length > 0) {
    layers.push({
      data: { values: rules.map((value) => ({ value })) },
      mark: { type: 'rule', strokeDash: [2, 3], color: '#999' },
      encoding: { y: { ...y, field: 'value' } },
    });
  }
  return layered(Math.round(HEIGHT * 0.8), layers);
}

/**
 * The report's charts for the given runs (a chart is left out when no run has its data): gold and proxy vs KL to
 * SFT and vs update, ESS/N per round, the weight histograms per round, on-policy RM accuracy per round. Runs are
 * colored by group (`runGroup`); a group with several seeds shows its mean and 95 % t-interval.
 */
export function buildCharts(runs: readonly RunSummary[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const { groups, seeded } = groupsOf(runs);
  for (const [metric, name] of [
    ['eval/gold', 'Gold score'],
    ['eval/proxy', 'Proxy RM score'],
  ] as const) {
    const short = metric.split('/')[1];
    const vsKl = curveRows(runs, metric, true);
    if (vsKl.length > 0) {
      charts.push({
        id: `${short}-vs-kl`,
        title: `${name} vs KL to SFT`,
        caption:
          'Overoptimization curve: each point an evaluation during PPO; each round its own segment (shape = round).',
        spec: curveVsKl(vsKl, name, groups, seeded),
      });
    }
    const vsUpdate = curveRows(runs, metric, false);
    if (vsUpdate.length > 0) {
      charts.push({
        id: `${short}-vs-update`,
        title: `${name} vs PPO update`,
        caption: seeded
          ? 'Thick line and band: mean over seeds and its 95 % t-interval; faint lines: single seeds. Dashed: a new round.'
          : 'Dashed: a new round begins (a new reward model).',
        spec: curveVsUpdate(vsUpdate, name, groups, seeded),
      });
    }
  }

  const essRows: Row[] = runs.flatMap((run) =>
    run.rounds.flatMap((r) =>
      r.weights && isNumber(r.weights.essFraction)
        ? [{ run: runLabel(run), group: runGroup(run), round: r.round, value: r.weights.essFraction }]
        : [],
    ),
  );
  if (essRows.length > 0) {
    charts.push({
      id: 'ess-per-round',
      title: 'Effective sample size of the weights (ESS / N) per round',
      caption:
        'Above 0.99 (dotted) the correction does nothing; below 0.1 (dotted) a few pairs carry all the weight.',
      spec: perRound(essRows, 'ESS / N', [0, 1], [0.1, 0.99], groups, seeded),
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
        config: CONFIG,
        data: { values: histogramRows },
        facet: {
          row: { field: 'round', type: 'ordinal', title: null },
          column: { field: 'run', type: 'nominal', title: null },
        },
        spec: {
          width: 200,
          height: 80,
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
        ? [{ run: runLabel(run), group: runGroup(run), round: r.round, value: r.rmAccuracy.accuracy }]
        : [],
    ),
  );
  if (accuracyRows.length > 0) {
    const lowest = Math.min(...accuracyRows.map((r) => Number(r.value)));
    charts.push({
      id: 'rm-accuracy',
      title: 'On-policy reward-model accuracy per round',
      caption:
        'Accuracy of RM_k against gold labels on fresh pairs from the policy it was used with (ties excluded); ' +
        'dotted: chance.',
      spec: perRound(
        accuracyRows,
        'accuracy',
        [Math.min(0.5, Math.floor(lowest * 10) / 10), 1],
        [0.5],
        groups,
        seeded,
      ),
    });
  }
  return charts;
}
