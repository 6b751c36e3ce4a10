import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A Vega-Lite chart of the report. */
export interface ChartSpec {
  /** Stable id (`gold-vs-kl`), used as `data-chart` in the page. */
  id: string;
  title: string;
  /** One-line explanation under the title. */
  caption: string;
  spec: TopLevelSpec;
}

/**
 * Compiles a Vega-Lite spec and renders it to an SVG string in Node (headless Vega view, no DOM, no network). The
 * data must be inline (`values`).
 */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
