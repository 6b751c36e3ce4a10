/** Vega's ARIA descriptions of data marks (not axes, legends or titles). */
export const DATA_MARK_DESCRIPTIONS: readonly string[] = Object.freeze([
  'line mark',
  'point',
  'rect mark',
  'bar',
]);

/**
 * Counts the data marks in rendered Vega SVG by their ARIA description: `{ 'line mark': 4, point: 48 }`. Used by
 * the tests to check a chart drew its data.
 */
export function countDataMarks(svg: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of svg.matchAll(/role="graphics-symbol" aria-roledescription="([^"]+)"/g)) {
    const kind = m[1]!;
    if (DATA_MARK_DESCRIPTIONS.includes(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
