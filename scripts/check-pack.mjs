#!/usr/bin/env node
// Checks that every public @ocrm/* package publishes only what it should: dist/, README, LICENSE, package.json and
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
];
const forbidden = [/\.test\./, /(^|\/)fixtures\//, /(^|\/)test-support\//, /^src\//];
let failures = 0;
for (const dir of readdirSync('packages')) {
  const pkg = JSON.parse(readFileSync(join('packages', dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const [report] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join('packages', dir),
      encoding: 'utf8',
    }),
  );
  const files = report.files.map((f) => f.path);
  const bad = files.filter((f) => !allowed.some((re) => re.test(f)) || forbidden.some((re) => re.test(f)));
  const hasDist = files.some((f) => f.startsWith('dist/index.js'));
  if (bad.length > 0 || !hasDist) {
    failures++;
    console.error(
      `${pkg.name}: ${hasDist ? '' : 'no dist/index.js (build first); '}unexpected files: ${bad.join(', ')}`,
    );
  } else {
    console.log(`${pkg.name}: ${files.length} files, ${(report.size / 1024).toFixed(0)} KiB packed`);
  }
}
process.exit(failures ? 1 : 0);
