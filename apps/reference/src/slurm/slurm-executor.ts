import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_WASM_THREADS } from '@ocrm/backend-wasm';
import { OcrmError, writeJsonAtomic } from '@ocrm/core';
import {
  isShardableStage,
  type JobResources,
  jobState,
  type PipelineConfig,
  type PlannedStage,
  planStages,
  shellQuote as quote,
  SLURM_ACTIVE_STATES,
  SLURM_FAILED_STATES,
  slurmCommand,
  submitJob,
} from '@ocrm/pipeline';

/** Stage kinds that train a model (they get `--gres=gpu:N` with `--slurm-gpus N`). */
const TRAINING: ReadonlySet<PlannedStage['kind']> = new Set(['sft', 'rm', 'ppo', 'dpo']);

/** Resource flags of `ocrm run --executor slurm` (documented defaults: 1 CPU, no GPU, the partition's limits). */
export interface SlurmOptions {
  partition?: string;
  time?: string;
  cpus?: number;
  mem?: string;
  /** GPUs per training stage (sft, rm, ppo, dpo); the others (pairs, labels, weights, eval, report) get none. */
  gpus?: number;
  /** A shell line run before each stage's command (e.g. `module load nodejs/20`). */
  setup?: string;
  /**
   * Shards of the data-parallel stages (pairs, labels, weights-k): with n > 1 such a stage is an array job of n tasks (`ocrm
   * stage <runDir> <stage> --shard $SLURM_ARRAY_TASK_ID/n`) and a merge job after all of them (`--shards n`). Default 1.
   */
  shards?: number;
}

/** One submitted stage. */
export interface SubmittedStage {
  stage: string;
  jobId: string;
  log: string;
}

/**
 * Submits every stage of `config`'s plan that is not done in `runDir` as one SLURM job (`ocrm stage <runDir> <stage>`,
 * the code the local executor runs), each depending on the previous (`afterok`): a failed stage stops its dependants.
 * Logs go to `<runDir>/slurm/<stage>-<jobid>.log`. The run directory must be claimed already (config saved).
 * @param cli - the `ocrm` entry script the jobs run (this one).
 */
export async function submitPlan(
  config: PipelineConfig,
  runDir: string,
  cli: string,
  options: SlurmOptions = {},
): Promise<SubmittedStage[]> {
  const logs = join(runDir, 'slurm');
  await mkdir(logs, { recursive: true });
  const submitted: SubmittedStage[] = [];
  const setup = options.setup ?? config.slurm?.setup;
  let after: string | undefined;
  for (const stage of planStages(config)) {
    if (existsSync(join(runDir, stage.name, 'done'))) continue;
    const resources = stageResources(stage.kind, config, options);
    const shards = options.shards ?? 1;
    // `raw` words go to the shell unquoted (the array task's id must expand).
    const stageLine = (...raw: string[]) =>
      [
        ...(setup ? [setup] : []),
        [
          ...[process.execPath, cli, 'stage', runDir, stage.name, '--quiet', ...threadsArgs(resources)].map(
            quote,
          ),
          ...raw,
        ].join(' '),
      ].join(' && ');
    if (shards > 1 && isShardableStage(stage.name)) {
      // The shards as one array job (`%A_%a`: array job and task ids in the log name), then their merge.
      const arrayLog = join(logs, `${stage.name}-%A_%a.log`);
      const arrayId = await submitJob({
        name: `ocrm-${stage.name}-shards`,
        command: stageLine('--shard', `"$SLURM_ARRAY_TASK_ID/${shards}"`),
        log: arrayLog,
        resources,
        after,
        array: `0-${shards - 1}`,
      });
      submitted.push({
        stage: `${stage.name}[shards]`,
        jobId: arrayId,
        log: arrayLog.replace('%A', arrayId),
      });
      after = arrayId;
    }
    const command =
      shards > 1 && isShardableStage(stage.name) ? stageLine('--shards', String(shards)) : stageLine();
    const log = join(logs, `${stage.name}-%j.log`);
    const jobId = await submitJob({ name: `ocrm-${stage.name}`, command, log, resources, after });
    submitted.push({ stage: stage.name, jobId, log: log.replace('%j', jobId) });
    after = jobId;
    await writeJsonAtomic(join(logs, JOBS_FILE), submitted);
  }
  return submitted;
}

/**
 * The `ocrm stage` flags that use a job's CPUs: `--threads n` (tfjs-wasm's XNNPACK threads, at most 8) when it has
 * n > 1 CPUs; none for one CPU (the single-threaded build). The numbers are the same at any thread count.
 */
export function threadsArgs(resources: Pick<JobResources, 'cpusPerTask'>): string[] {
  const threads = Math.min(MAX_WASM_THREADS, resources.cpusPerTask);
  return threads > 1 ? ['--threads', String(threads)] : [];
}

/**
 * The resources of a stage kind's jobs: the `--slurm-*` flags, else the config's `slurm.stages.<kind>`, else its
 * `slurm` defaults, else 1 CPU and the cluster's defaults. GPUs: a kind's own `gpus` as given; the flag or the
 * section-wide `gpus` only for the training kinds (sft, rm, ppo, dpo), none for the others.
 */
export function stageResources(
  kind: PlannedStage['kind'],
  config: Pick<PipelineConfig, 'slurm'>,
  flags: SlurmOptions = {},
): JobResources {
  const base = config.slurm ?? {};
  const own = base.stages?.[kind] ?? {};
  const training = TRAINING.has(kind);
  return {
    partition: flags.partition ?? own.partition ?? base.partition,
    time: flags.time ?? own.time ?? base.time,
    cpusPerTask: flags.cpus ?? own.cpus ?? base.cpus ?? 1,
    mem: flags.mem ?? own.mem ?? base.mem,
    gpus:
      flags.gpus !== undefined
        ? training
          ? flags.gpus
          : 0
        : (own.gpus ?? (training ? (base.gpus ?? 0) : 0)),
  };
}

/** The record of the last submission, `<runDir>/slurm/jobs.json`. */
const JOBS_FILE = 'jobs.json';

/**
 * Refuses to submit while jobs of an earlier submission to `runDir` are still queued or running (two chains would
 * write the same stages; the run directory's lock would stop the second anyway, later and less clearly).
 * @throws OcrmError `RUN_DIRECTORY` naming the stage, the job and its state.
 */
export async function checkNoActiveJobs(runDir: string): Promise<void> {
  let jobs: SubmittedStage[];
  try {
    jobs = JSON.parse(await readFile(join(runDir, 'slurm', JOBS_FILE), 'utf8')) as SubmittedStage[];
  } catch {
    return;
  }
  for (const job of jobs) {
    if (existsSync(join(runDir, job.stage, 'done'))) continue;
    const { state } = await jobState(job.jobId);
    if (SLURM_ACTIVE_STATES.has(state)) {
      throw new OcrmError(
        'RUN_DIRECTORY',
        `stage ${job.stage} of ${runDir} is still ${state} in SLURM job ${job.jobId}.`,
        {
          hint: `wait for the submitted jobs (squeue), or cancel them (scancel ${jobs.map((j) => j.jobId).join(' ')}) and rerun.`,
        },
      );
    }
  }
}

/**
 * Follows submitted stages until the last completes (`--wait`), reporting each finished one. A stage that fails
 * cancels the jobs after it and throws, naming the job, its log and the stage.
 */
export async function waitForStages(
  stages: readonly SubmittedStage[],
  runDir: string,
  onDone: (stage: SubmittedStage) => void = () => {},
  pollMs = 2_000,
): Promise<void> {
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i] as SubmittedStage;
    for (;;) {
      const { state, exitCode, reason } = await jobState(s.jobId);
      // An array of shards (`pairs[shards]`) is finished once its stage is.
      const stageDone = () => existsSync(join(runDir, s.stage.replace(/\[shards\]$/, ''), 'done'));
      if (state === 'COMPLETED' || (state === 'UNKNOWN' && stageDone())) break;
      if (SLURM_FAILED_STATES.has(state) || state === 'UNKNOWN') {
        const rest = stages.slice(i + 1).map((t) => t.jobId);
        if (rest.length > 0) await slurmCommand('scancel', rest).catch(() => undefined);
        throw new OcrmError(
          'EXECUTOR',
          `stage ${s.stage} failed: job ${s.jobId} ended ${state}${exitCode ? ` (exit ${exitCode})` : ''}` +
            `${reason && reason !== 'None' ? `, ${reason}` : ''}; its log: ${s.log}.` +
            (rest.length > 0 ? ` Cancelled the ${rest.length} dependent job(s).` : ''),
          {
            hint: 'fix the cause and rerun the same command: finished stages are kept, the failed one resumes.',
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    onDone(s);
  }
}
