#!/usr/bin/env node
// Runs every package's benchmark (a `bench` script), one at a time. Benchmarks are never part of `npm test`.
import { execSync } from 'node:child_process';

execSync('TURBO_TELEMETRY_DISABLED=1 npx turbo run bench --concurrency=1', { stdio: 'inherit' });
