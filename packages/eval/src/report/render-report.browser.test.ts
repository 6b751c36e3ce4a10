// Browser test of the report: opens report.html in headless Chromium (Debian's `chromium`, driven by playwright-core;
// never a downloaded browser) at 1400 px, checks there are no console errors, no network requests, no horizontal
// overflow (also with a wide final table: many metrics, long run names), that every chart drew data marks and is
// sized to the page (two side by side), and saves a screenshot to packages/eval/test-artifacts/ (git-ignored). Skips loudly when Chromium is
// absent, except under CI=true, where it fails.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { exampleRunSummaries } from './example-runs';
import { DATA_MARK_DESCRIPTIONS } from './marks';
import { METRIC_NAMES } from './metric-names';
import { writeReport } from './render-report';

const CHROMIUM = process.env.OCRM_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Offline flags (docs/stack.md): without the background-networking ones Chromium floods a closed network. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const available = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

if (!available && !inCi) {
  console.warn(
    `\n*** SKIPPING the report browser test: no Chromium at ${CHROMIUM}. Install it with ` +
      '`apt-get install -y chromium` (or set OCRM_CHROMIUM). CI requires it. ***\n',
  );
}

describe.skipIf(!available && !inCi)('report.html in headless Chromium', () => {
  it('has no console errors, fetches nothing and draws marks in every chart', {
    timeout: 120_000,
  }, async () => {
    expect(available, `Chromium is required under CI=true (looked at ${CHROMIUM})`).toBe(true);
    // The page goes to a temporary folder (linters would scan it in test-artifacts/); the screenshot is the artifact.
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-report-browser-'));
    // The example runs, with every known final metric and more, and a long run name: the widest page a report makes.
    const runs = exampleRunSummaries().map((run, i) => ({
      ...run,
      label: i === 0 ? `rlhf with a deliberately long descriptive run name (seed ${run.seed})` : run.label,
      final: {
        ...Object.fromEntries(
          [...Object.keys(METRIC_NAMES), 'eval/greedy/gold', 'custom/metric_x'].map((k, j) => [k, j / 7]),
        ),
      },
    }));
    const path = await writeReport(dir, runs, { title: 'OCRM report (example runs)' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
      const charts = await page.$$eval(
        'figure.chart',
        (figures, kinds) =>
          figures.map((f) => {
            const svg = f.querySelector('svg');
            const box = svg?.getBoundingClientRect();
            const marks = [...f.querySelectorAll('svg [role="graphics-symbol"]')].filter((m) =>
              kinds.includes(m.getAttribute('aria-roledescription') ?? ''),
            );
            type Graphic = { getBBox(): { width: number; height: number } };
            const drawn = marks.filter((m) => {
              const box = (m as unknown as Graphic).getBBox();
              return box.width + box.height > 0;
            });
            return {
              id: f.dataset.chart,
              top: box?.top ?? 0,
              width: box?.width ?? 0,
              height: box?.height ?? 0,
              marks: drawn.length,
            };
          }),
        DATA_MARK_DESCRIPTIONS as string[],
      );
      const overflow = Number(
        await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
      );
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}report.png`, fullPage: true });
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(charts.map((c) => c.id)).toHaveLength(7);
      expect(overflow, 'horizontal overflow (px)').toBe(0);
      for (const chart of charts) {
        expect(chart.marks, `${chart.id} marks`).toBeGreaterThan(0);
        expect(chart.width, `${chart.id} width`).toBeGreaterThan(400);
        expect(chart.width, `${chart.id} width`).toBeLessThan(700);
      }
      // Two charts a row: the gold curves vs KL and vs update side by side.
      const top = (id: string) => charts.find((c) => c.id === id)!.top;
      expect(top('gold-vs-update')).toBe(top('gold-vs-kl'));
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
