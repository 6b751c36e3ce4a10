#!/usr/bin/env node
// @ts-check
/**
 * One study job inside SLURM: `node slurm-job.mjs <spec.json>` (written by `submitStudyJobs`). Copies the job's
 * shared stages in from the jobs it depends on, writes its config, and runs the `ocrm` CLI on its run folder with this
 * process's output (the SLURM log); exits with the CLI's code.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { prepareJob } from './scheduler.mjs';

const specFile = process.argv[2];
if (!specFile) {
  console.error('usage: slurm-job.mjs <spec.json>');
  process.exit(2);
}
const spec = JSON.parse(await readFile(specFile, 'utf8'));
const { dir, configFile, copied } = await prepareJob(spec.job, {
  root: spec.root,
  copies: spec.copies,
  extraConfig: spec.extraConfig,
});
console.log(`${spec.job.id}: ${copied.length ? `copied ${copied.join(', ')}; ` : ''}running ocrm in ${dir}`);
const child = spawn(
  process.execPath,
  [spec.cli, 'run', '--preset', spec.preset, '--config', configFile, '--out', dir, '--quiet'],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
