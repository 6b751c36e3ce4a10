// @ts-check
/**
 * Vega-Lite specs of the experiment's figures, rendered to SVG with `renderChartSvg` from @ocrm/eval.
 */
import { renderChartSvg } from '@ocrm/eval';

/** @typedef {import('./collect.mjs').JobMetrics} JobMetrics */

/**
 * Gold score against KL to SFT along PPO for every arm (one line per seed; rounds concatenated), the final
 * evaluation of DPO/WPO as points, SFT at KL 0.
 * @param {readonly JobMetrics[]} jobs
 * @param {string} title
 */
export function goldVsKlSpec(jobs, title) {
  const lines = jobs.flatMap((j) =>
    j.curve.map((p, i) => ({ arm: j.label, seed: j.seed, kl: p.kl, gold: p.gold, order: i })),
  );
  const points = jobs
    .filter((j) => j.curve.length === 0 && Number.isFinite(j.final.kl))
    .map((j) => ({ arm: j.label, seed: j.seed, kl: j.final.kl, gold: j.final.gold }));
  const sft = jobs.filter((j) => Number.isFinite(j.sftGold)).map((j) => ({ kl: 0, gold: j.sftGold }));
  return /** @type {any} */ ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 560,
    height: 360,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.2, opacity: 0.85 },
        encoding: {
          x: { field: 'kl', type: 'quantitative', title: 'KL to SFT (nats, sampled at T 0.7)' },
          y: { field: 'gold', type: 'quantitative', title: 'gold score (eval prompts)' },
          color: {
            field: 'arm',
            type: 'nominal',
            scale: { scheme: 'tableau20' },
            legend: { title: 'arm', labelLimit: 360 },
          },
          detail: { field: 'seed', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', shape: 'diamond', size: 90, filled: true },
        encoding: {
          x: { field: 'kl', type: 'quantitative' },
          y: { field: 'gold', type: 'quantitative' },
          color: { field: 'arm', type: 'nominal', scale: { scheme: 'tableau20' } },
        },
      },
      {
        data: { values: sft },
        mark: { type: 'point', shape: 'square', size: 60, color: 'black' },
        encoding: { x: { field: 'kl', type: 'quantitative' }, y: { field: 'gold', type: 'quantitative' } },
      },
    ],
  });
}

/**
 * Proxy (RM) and gold score against PPO updates for the given jobs (the overoptimization picture).
 * @param {readonly JobMetrics[]} jobs
 * @param {string} title
 */
export function proxyGoldSpec(jobs, title) {
  const values = jobs.flatMap((j) =>
    j.curve.flatMap((p) => [
      { arm: j.label, seed: j.seed, update: p.update, score: 'gold', value: p.gold },
      { arm: j.label, seed: j.seed, update: p.update, score: 'proxy (RM of its round)', value: p.proxy },
    ]),
  );
  return /** @type {any} */ ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 560,
    height: 300,
    data: { values: values.filter((v) => Number.isFinite(v.value)) },
    mark: { type: 'line', point: { size: 16 }, strokeWidth: 1.2 },
    encoding: {
      x: { field: 'update', type: 'quantitative', title: 'PPO update (all rounds)' },
      y: { field: 'value', type: 'quantitative', title: 'score' },
      color: { field: 'score', type: 'nominal', title: null },
      strokeDash: { field: 'arm', type: 'nominal' },
      detail: { field: 'seed', type: 'nominal' },
    },
  });
}

/**
 * The λ × α sweep: ESS of the round-2 weights, round-2 on-policy RM accuracy and final gold against λ.
 * @param {readonly JobMetrics[]} jobs sweep jobs (arm keys `ocrm-l<λ>-a<α>-…`)
 */
export function sweepSpec(jobs) {
  const values = jobs.flatMap((j) => {
    const match = /^ocrm-l([^-]+)-a([^-]+)-/.exec(j.arm);
    if (!match || !j.ok) return [];
    const base = { lambda: Number(match[1]), alpha: `α=${match[2]}` };
    return [
      { ...base, metric: 'ESS/N of round-2 weights', value: j.perRound['ess/2'] },
      { ...base, metric: 'RM-2 accuracy on policy-1 pairs', value: j.perRound['rmAccStart/2'] },
      { ...base, metric: 'final gold', value: j.final.gold },
    ].filter((v) => Number.isFinite(v.value));
  });
  return /** @type {any} */ ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'λ × α sweep (seed of the sweep, KL previous, normalised)',
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 200,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'lambda', type: 'quantitative', scale: { type: 'log' }, title: 'λ (ratioExponent)' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'alpha', type: 'nominal', title: null },
      },
    },
  });
}

/** @param {any} spec */
export const renderSvg = (spec) => renderChartSvg(spec);
