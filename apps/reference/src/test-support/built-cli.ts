// The built `ocrm` entry the end-to-end tests spawn (turbo builds the app before its tests).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `dist/bin.js` of this app. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** True when the CLI is built; in CI a missing build is an error, not a skip. */
export function builtCli(): boolean {
  if (process.env.CI && !existsSync(BIN))
    throw new Error(`${BIN} is missing: build the app first (turbo does in CI).`);
  return existsSync(BIN);
}

/** Runs `ocrm args…` with this Node (CI=true: plain progress) and returns its exit status and stdout + stderr. */
export function ocrm(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
