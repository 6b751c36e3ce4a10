/** True for plain objects (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges configuration layers left to right (later wins). Objects merge key by key; arrays and scalars replace;
 * `undefined` never overrides. Inputs are not mutated.
 */
export function mergeConfig(...layers: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isPlainObject(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const current = out[key];
      // `model` is a tagged union: a new `source` replaces the whole section instead of merging into it.
      const replaces =
        key === 'model' && isPlainObject(value) && isPlainObject(current) && value.source !== current.source;
      out[key] =
        isPlainObject(value) && isPlainObject(current) && !replaces
          ? mergeConfig(current, value)
          : clone(value);
    }
  }
  return out;
}

function clone(value: unknown): unknown {
  return isPlainObject(value) ? mergeConfig(value) : Array.isArray(value) ? value.map(clone) : value;
}
