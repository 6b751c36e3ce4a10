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
    // Four runs x 12 points; ESS: two ocrm runs x rounds 2-3; histograms: 2 runs x 2 rounds x 5 bins.
    expect(countDataMarks(charts.get('gold-vs-kl')!)).toEqual({ 'line mark': 4, point: 48 });
    expect(countDataMarks(charts.get('proxy-vs-update')!)).toEqual({ 'line mark': 4, point: 48 });
    expect(countDataMarks(charts.get('ess-per-round')!)).toEqual({ 'line mark': 2, point: 4 });
    expect(countDataMarks(charts.get('weight-histograms')!)).toEqual({ 'rect mark': 20 });
    expect(countDataMarks(charts.get('rm-accuracy')!)).toEqual({ 'line mark': 4, point: 12 });
    expect(html).toContain('<title>Test &lt;report&gt;</title>');
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
  });

  it('tabulates final metrics per method with seeds and 95 % t-intervals', async () => {
    const html = await renderReport(exampleRunSummaries());
    const final = html.match(/<table class="final">([\s\S]*?)<\/table>/)![1]!;
    expect(final).toContain('<th>eval/gold</th>');
    expect(final).toContain('<td>rlhf</td><td>1, 2</td>');
    // rm/accuracy of rlhf round 3: 0.62 - 0.15 + 0.01 s → 0.48, 0.49; t_{.975,1} 12.706 · 0.00707 / √2 = 0.06353.
    expect(final).toContain('<td>0.485 ± 0.06353</td>');
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
