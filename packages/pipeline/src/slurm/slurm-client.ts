import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NotFoundError, OcrmError } from '@ocrm/core';

const run = promisify(execFile);

/** Runs one SLURM client command (`sbatch`, `scontrol`, `scancel`) and returns its stdout. */
export async function slurmCommand(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args as string[], { timeout: 60_000 });
    return stdout;
  } catch (cause) {
    const error = cause as NodeJS.ErrnoException & { stderr?: string };
    if (error.code === 'ENOENT') {
      throw new NotFoundError(`\`${command}\` was not found: this machine has no SLURM client.`, {
        cause,
        hint: 'run on a SLURM login node, start the local one-node cluster (scripts/slurm-local.sh start), or drop --executor slurm.',
      });
    }
    throw new OcrmError(
      'EXECUTOR',
      `${command} ${args.join(' ')} failed: ${(error.stderr ?? error.message).trim()}`,
      {
        cause,
      },
    );
  }
}

/** What one job asks SLURM for. */
export interface JobResources {
  partition?: string;
  /** Wall-time limit (`--time`, e.g. `2:00:00`). */
  time?: string;
  cpusPerTask: number;
  /** Memory (`--mem`, e.g. `8G`). */
  mem?: string;
  /** GPUs (`--gres=gpu:N`). */
  gpus: number;
}

/**
 * Submits one job running `command` (a shell line) and returns its id (`sbatch --parsable`). `after`: job ids it
 * waits for (`afterok`, colon-separated); it is killed if one of them fails (`--kill-on-invalid-dep`).
 */
export async function submitJob(o: {
  name: string;
  command: string;
  log: string;
  resources: JobResources;
  after?: string;
  /** An array job's task ids (`--array`, e.g. `0-3`); the command sees `$SLURM_ARRAY_TASK_ID`. */
  array?: string;
  sbatch?: string;
}): Promise<string> {
  const r = o.resources;
  const args = [
    '--parsable',
    `--job-name=${o.name}`,
    `--output=${o.log}`,
    '--ntasks=1',
    `--cpus-per-task=${r.cpusPerTask}`,
    ...(r.partition ? [`--partition=${r.partition}`] : []),
    ...(r.time ? [`--time=${r.time}`] : []),
    ...(r.mem ? [`--mem=${r.mem}`] : []),
    ...(r.gpus > 0 ? [`--gres=gpu:${r.gpus}`] : []),
    ...(o.after ? [`--dependency=afterok:${o.after}`, '--kill-on-invalid-dep=yes'] : []),
    ...(o.array ? [`--array=${o.array}`] : []),
    `--wrap=${o.command}`,
  ];
  const out = await slurmCommand(o.sbatch ?? 'sbatch', args);
  const id = out.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id))
    throw new OcrmError('EXECUTOR', `sbatch answered ${JSON.stringify(out)}, not a job id.`);
  return id;
}

/** Job states in which a job may still run (queued, running, requeued, suspended). */
export const SLURM_ACTIVE_STATES: ReadonlySet<string> = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'REQUEUED',
  'RESIZING',
  'SUSPENDED',
]);

/** Job states that end a job without success. */
export const SLURM_FAILED_STATES: ReadonlySet<string> = new Set([
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
]);

/** Quotes a word for a POSIX shell (`--wrap` commands). */
export const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * A job's state from `scontrol show job -o` (`PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, …; `UNKNOWN` once purged).
 * For an array job (one line per task) the worst: a failed task's state, else an active one's, else `COMPLETED`.
 */
export async function jobState(id: string): Promise<{ state: string; exitCode: string; reason: string }> {
  let text: string;
  try {
    text = await slurmCommand('scontrol', ['show', 'job', '-o', id]);
  } catch (error) {
    if (OcrmError.isInstance(error) && error.code === 'EXECUTOR' && /Invalid job id/i.test(error.message))
      return { state: 'UNKNOWN', exitCode: '', reason: '' };
    throw error;
  }
  const tasks = text
    .split('\n')
    .filter((line) => line.includes('JobState='))
    .map((line) => {
      const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1] ?? '';
      return { state: field('JobState'), exitCode: field('ExitCode'), reason: field('Reason') };
    });
  if (tasks.length === 0) return { state: 'UNKNOWN', exitCode: '', reason: '' };
  return (
    tasks.find((t) => SLURM_FAILED_STATES.has(t.state)) ??
    tasks.find((t) => SLURM_ACTIVE_STATES.has(t.state)) ??
    tasks[0]!
  );
}
