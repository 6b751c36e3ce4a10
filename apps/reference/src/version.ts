import { readFileSync } from 'node:fs';

/** The version of this app (its package.json), for `ocrm --version`. */
export const VERSION: string = (() => {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (json.name === '@ocrm/cli' && json.version) return json.version;
    } catch {
      // try the next location (src/ in tests, dist/ when built)
    }
  }
  return '0.0.0';
})();
