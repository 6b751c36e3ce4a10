/** How the report names a metric: a human name and its unit (empty when it has none). */
export interface MetricName {
  name: string;
  unit: string;
}

/** Human names of the stable metric keys (`eval/gold`, …); `eval/greedy/<m>` is `<m>`'s name with "(greedy)". */
export const METRIC_NAMES: Readonly<Record<string, MetricName>> = Object.freeze({
  'eval/gold': { name: 'Gold score', unit: 'judge scale' },
  'eval/win_rate': { name: 'Win rate vs reference', unit: 'fraction' },
  'eval/proxy': { name: 'Proxy RM score', unit: 'RM scale' },
  'eval/kl_sft': { name: 'KL to SFT', unit: 'nats' },
  'eval/length': { name: 'Response length', unit: 'tokens' },
  'eval/eos_rate': { name: 'Responses ending in EOS', unit: 'fraction' },
  'eval/reference_gold': { name: 'Gold score of the reference responses', unit: 'judge scale' },
  'eval/tie_rate': { name: 'Ties with the reference', unit: 'fraction' },
  'rm/accuracy': { name: 'RM accuracy on the policy’s pairs', unit: 'fraction' },
  'rm/accuracy_start': { name: 'RM accuracy on the previous policy’s pairs', unit: 'fraction' },
  'rm/accuracy_sft': { name: 'RM accuracy on held-out SFT pairs', unit: 'fraction' },
});

/** The display name of `key` (unknown keys keep their key as the name). */
export function metricName(key: string): MetricName {
  const known = METRIC_NAMES[key];
  if (known) return known;
  const greedy = /^eval\/greedy\/(.+)$/.exec(key);
  const base = greedy ? METRIC_NAMES[`eval/${greedy[1]}`] : undefined;
  if (base) return { name: `${base.name} (greedy)`, unit: base.unit };
  return { name: key, unit: '' };
}

/** `Name (unit)` for a header cell. */
export function metricHeader(key: string): string {
  const { name, unit } = metricName(key);
  return unit ? `${name} (${unit})` : name;
}
