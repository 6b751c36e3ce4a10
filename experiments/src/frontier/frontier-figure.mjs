// @ts-check
/**
 * The frontier figure: gold against KL to SFT, per arm the mean over seeds of the gold interpolated at a KL grid,
 * with its 95 % band (t interval over the seeds that reach that KL), DPO as points.
 */
import { tInterval95 } from '@ocrm/eval';
import { goldAtKl } from '../collect.mjs';

/** KL grid of the figure (nats). */
const GRID = Array.from({ length: 41 }, (_, i) => i * 0.025);

/**
 * @param {{ label: string, curves: { kl: number, gold: number }[][], finals: { kl: number, gold: number }[] }[]} arms
 *   per arm: one curve per seed (the rounds concatenated), and the final evaluations of arms without a curve (DPO).
 * @param {string} title
 */
export function frontierFigureSpec(arms, title) {
  /** @type {{ arm: string, kl: number, mean: number, low: number, high: number, n: number }[]} */
  const bands = [];
  for (const arm of arms) {
    for (const kl of GRID) {
      const golds = arm.curves.map((c) => goldAtKl(c, kl)).filter(Number.isFinite);
      // A band needs 3 seeds; fewer seeds reach the far end of some arms' curves.
      if (golds.length < 3) continue;
      const ci = tInterval95(golds);
      bands.push({ arm: arm.label, kl, mean: ci.mean, low: ci.low, high: ci.high, n: golds.length });
    }
  }
  const points = arms.flatMap((arm) => arm.finals.map((p) => ({ arm: arm.label, kl: p.kl, gold: p.gold })));
  const color = {
    field: 'arm',
    type: 'nominal',
    scale: { scheme: 'tableau10' },
    legend: { title: 'arm', labelLimit: 360, orient: 'bottom', columns: 2 },
  };
  const x = { field: 'kl', type: 'quantitative', title: 'KL to SFT (nats, sampled at T 0.7)' };
  return /** @type {any} */ ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 640,
    height: 380,
    layer: [
      {
        data: { values: bands },
        mark: { type: 'area', opacity: 0.15 },
        encoding: {
          x,
          y: { field: 'low', type: 'quantitative', scale: { zero: false } },
          y2: { field: 'high' },
          color,
        },
      },
      {
        data: { values: bands },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 'mean',
            type: 'quantitative',
            title: 'gold score (mean over seeds, 95 % band)',
            scale: { zero: false },
          },
          color,
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 40 },
        encoding: { x, y: { field: 'gold', type: 'quantitative' }, color },
      },
    ],
  });
}
