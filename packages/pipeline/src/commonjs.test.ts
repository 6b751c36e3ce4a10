import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Real Node resolution through node_modules and the packages' `exports` (the dependencies are built before this
// package's tests): CommonJS users get the ES modules where Node can require() them, a clear message where not.
const require = createRequire(import.meta.url);

describe('the packages from CommonJS', () => {
  it('require() loads them on this Node (≥ 20.19: the "module-sync" export condition)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    if (major < 20 || (major === 20 && minor < 19) || (major === 22 && minor < 12)) return;
    expect(typeof require('@ocrm/core').rng).toBe('function');
    expect(typeof require('@ocrm/ppo').trainPpo).toBe('function');
  });

  it('where Node cannot, require() reaches a stub that says how to import them', () => {
    const stub = fileURLToPath(new URL('../../ppo/dist/esm-only.cjs', import.meta.url));
    expect(() => require(stub)).toThrow(
      /@ocrm\/ppo is an ES module only\. From an ES module: import \{ … \} from '@ocrm\/ppo'\. From CommonJS: const m = await import\('@ocrm\/ppo'\)/,
    );
  });
});
