#!/usr/bin/env node
// Checks that every public @ocrm/* package (and the @ocrm/cli app) publishes only what it should: dist/, README, LICENSE, package.json and
// declared asset folders — never tests, fixtures or sources. Run after a build (CI runs it after `npm test`).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const allowed = [
  /^dist\/.+\.(js|d\.ts|js\.map)$/,
  /^dist\/esm-only\.cjs$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^package\.json$/,
  /^assets\//,
  // @ocrm/core's worker-thread script (plain JavaScript, run as shipped: `@ocrm/core/replica-worker`).
  /^worker\/[^/]+\.mjs$/,
];
const forbidden = [/\.test\./, /(^|\/)fixtures\//, /(^|\/)test-support\//, /^src\//];
let failures = 0;
const folders = ['packages', 'apps'].flatMap((root) => readdirSync(root).map((dir) => join(root, dir)));
for (const folder of folders) {
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const [report] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: folder,
      encoding: 'utf8',
    }),
  );
  const files = report.files.map((f) => f.path);
  const bad = files.filter((f) => !allowed.some((re) => re.test(f)) || forbidden.some((re) => re.test(f)));
  // A library's entry, or a command's bin (`@ocrm/cli`).
  const entry = pkg.bin ? Object.values(pkg.bin)[0].replace(/^\.\//, '') : 'dist/index.js';
  const hasDist = files.includes(entry);
  if (bad.length > 0 || !hasDist) {
    failures++;
    console.error(
      `${pkg.name}: ${hasDist ? '' : `no ${entry} (build first); `}unexpected files: ${bad.join(', ')}`,
    );
  } else {
    console.log(`${pkg.name}: ${files.length} files, ${(report.size / 1024).toFixed(0)} KiB packed`);
  }
}
process.exit(failures ? 1 : 0);
