import { ConfigError } from '@ocrm/core';

/**
 * Parses repeated `--set path=value` flags into a partial config: `ppo.klCoef=0.1` → `{ ppo: { klCoef: 0.1 } }`.
 * The value is read as JSON when it is valid JSON (numbers, `true`, `null`, arrays, objects) and as a string
 * otherwise; the config schema then checks its type and names the field.
 * @throws ConfigError (`--set`) for a flag without `=` or with an empty path segment.
 */
export function parseSetFlags(flags: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const path = eq > 0 ? flag.slice(0, eq).split('.') : [];
    if (eq <= 0 || path.some((p) => p === '')) {
      throw new ConfigError(
        '--set',
        `expected path=value (e.g. ppo.klCoef=0.1), got ${JSON.stringify(flag)}`,
      );
    }
    const raw = flag.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    let node = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next && typeof next === 'object' && !Array.isArray(next)) {
        node = next as Record<string, unknown>;
      } else {
        const child: Record<string, unknown> = {};
        node[key] = child;
        node = child;
      }
    }
    node[path.at(-1) as string] = value;
  }
  return out;
}
