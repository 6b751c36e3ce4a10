import { describe, expect, it } from 'vitest';
import { buildCharts } from './charts';
import { exampleRunSummaries } from './example-runs';
import { countDataMarks } from './marks';
import { renderReport } from './render-report';

/** Splits the page into its chart figures: id → inner HTML. */
function figures(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<figure class="chart" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)) {
    out.set(m[1]!, m[2]!);
  }
  return out;
}

describe('renderReport', () => {
  it('renders every chart as inline SVG with its data marks', async () => {
    const runs = exampleRunSummaries();
    const html = await renderReport(runs, { title: 'Test <report>' });
    const charts = figures(html);
    expect([...charts.keys()]).toEqual([
      'gold-vs-kl',
      'gold-vs-update',
      'proxy-vs-kl',
      'proxy-vs-update',
      'ess-per-round',
      'weight-histograms',
      'rm-accuracy',
    ]);
    for (const [id, inner] of charts) expect(inner, id).toMatch(/^<h3>[^<]+<\/h3>\n<svg /);
    // Four runs x 3 rounds, each round its own segment, 12 points a run; vs update (two seeds a method): each seed
    // faint without points plus the two method means; ESS: two ocrm runs x rounds 2-3 and the ocrm mean per round;
    // histograms: 2 runs x 2 rounds x 5 bins; accuracy: 4 runs x 3 rounds and 2 methods x 3 round means.
    expect(countDataMarks(charts.get('gold-vs-kl')!)).toEqual({ 'line mark': 12, point: 48 });
    expect(countDataMarks(charts.get('proxy-vs-update')!)).toEqual({ 'line mark': 6 });
    expect(countDataMarks(charts.get('ess-per-round')!)).toEqual({ 'line mark': 2, point: 6 });
    expect(countDataMarks(charts.get('weight-histograms')!)).toEqual({ 'rect mark': 20 });
    expect(countDataMarks(charts.get('rm-accuracy')!)).toEqual({ 'line mark': 4, point: 18 });
    expect(html).toContain('<title>Test &lt;report&gt;</title>');
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
  });

  it('tabulates final metrics with human names and units, one column per group of seeds, with 95 % t-intervals', async () => {
    const html = await renderReport(exampleRunSummaries());
    const final = html.match(/<table class="final">([\s\S]*?)<\/table>/)![1]!;
    expect(final).toContain('<tr><th>Metric</th><th>rlhf</th><th>ocrm</th></tr>');
    expect(final).toContain('<tr><td>Seeds</td><td>1, 2</td><td>1, 2</td></tr>');
    expect(final).toContain('<td>KL to SFT (nats)</td>');
    expect(final).not.toContain('eval/');
    // rm/accuracy of rlhf round 3: 0.62 - 0.15 + 0.01 s → 0.48, 0.49; t_{.975,1} 12.706 · 0.00707 / √2 = 0.06353.
    expect(final).toContain('<td>RM accuracy on the policy’s pairs (fraction)</td><td>0.485 ± 0.06353</td>');
  });

  it('groups runs that differ only by seed and plots their mean with its interval', () => {
    const runs = exampleRunSummaries().map((r) => ({ ...r, label: `${r.method} λ=0.1 (seed ${r.seed})` }));
    const accuracy = buildCharts(runs).find((c) => c.id === 'rm-accuracy')!;
    const layers = (accuracy.spec as unknown as { layer: { data: { values: Record<string, unknown>[] } }[] })
      .layer;
    const intervals = layers[1]!.data.values;
    const rlhf3 = intervals.find((v) => v.group === 'rlhf λ=0.1' && v.round === 3)!;
    expect(rlhf3.mean).toBeCloseTo(0.485, 12);
    expect(Number(rlhf3.high) - Number(rlhf3.mean)).toBeCloseTo(0.06353, 5);
    expect(intervals).toHaveLength(6);
    // One run a group: no intervals, a line per run.
    const single = buildCharts([runs[0]!, runs[2]!]).find((c) => c.id === 'rm-accuracy')!;
    expect((single.spec as unknown as { layer: unknown[] }).layer).toHaveLength(2); // runs + the chance rule
  });

  it('marks where rounds begin on the update axis and fixes meaningful y domains', () => {
    const charts = buildCharts(exampleRunSummaries());
    const vsUpdate = charts.find((c) => c.id === 'gold-vs-update')!.spec as unknown as {
      layer: { mark: { type: string }; data: { values: { update?: number; label?: string }[] } }[];
    };
    const rules = vsUpdate.layer.filter((l) => l.mark.type === 'rule')[0]!.data.values;
    expect(rules).toEqual([
      { update: 25, label: 'round 2' },
      { update: 45, label: 'round 3' },
    ]);
    const ess = JSON.stringify(charts.find((c) => c.id === 'ess-per-round')!.spec);
    expect(ess).toContain('"domain":[0,1]');
    const accuracy = JSON.stringify(charts.find((c) => c.id === 'rm-accuracy')!.spec);
    expect(accuracy).toContain('"domain":[0.4,1]'); // the lowest accuracy is 0.48: from 0.4, chance (0.5) in view
  });

  it('leaves out charts without data and refuses duplicate labels', async () => {
    const [run] = exampleRunSummaries();
    const bare = { ...run!, curve: undefined, rounds: [{ round: 1, metrics: { 'eval/gold': 1 } }] };
    expect(buildCharts([bare])).toEqual([]);
    const html = await renderReport([bare]);
    expect(html).toContain('No curve, weight or accuracy data to plot.');
    await expect(renderReport([run!, run!])).rejects.toThrow(/labelled/);
  });
});
